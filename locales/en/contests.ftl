## Contests: partners
ct-title = { $title_ru ->
   *[other] { $title_en }
}
ct-description = { $description_ru ->
   *[other] { $description_en }
}
cmd-contest = contests and leaderboards
ct-metric-name =
    { $metric ->
        [conversions] approved conversions
        [revenue] approved revenue in { $currency }
        [clicks] unique clicks
       *[subpartners] new approved sub-partners
    }
ct-status-name =
    { $status ->
        [announced] starts soon
        [running] running
        [finished] finished, results are being checked
        [settled] finished, winners are being confirmed
        [awarded] finished, winners announced
       *[other] { $status }
    }
ct-none = 🏆 No contests right now. We will tell you when the next one is announced.
ct-list = 🏆 Contests ({ $count }). Choose one to see its leaderboard:
ct-item = 🏆 { ct-title } · { ct-status-name }
ct-board =
    🏆 { ct-title } ({ ct-status-name })
    { ct-description }

    📅 { $period }
    📏 Ranked by { ct-metric-name }
    🎁 Prizes:
    { $prizes }
    { $opt_in ->
        [yes] { $joined ->
            [yes] ✅ You are taking part.
           *[no] ✋ Press "I'm in" to take part.
        }
       *[no] Every partner takes part automatically.
    }

    { $final ->
        [yes] Final standings ({ $participants } participants):
       *[no] Leaderboard ({ $participants } participants):
    }
    { $top }

    { $place ->
        [0] You are not on the leaderboard yet.
        [1] 🥇 You lead with { $value }!
       *[other] Your place: { $place } with { $value }. To move up: { $gap } more.
    }
ct-btn-join = ✋ I'm in
ct-btn-refresh = 🔄 Refresh
ct-btn-open = 🏆 Leaderboard
ct-join-done =
    { $outcome ->
        [joined] ✅ You are in! Good luck.
        [already] You are already taking part.
        [closed] This contest no longer takes new participants.
       *[not_opt_in] Everyone takes part in this contest automatically.
    }
ct-announce =
    🏆 New contest: { ct-title }
    Open the leaderboard to see the rules and prizes.
ct-podium =
    { $event ->
        [entered] 🥇 You are in the top 3 of "{ ct-title }": place { $place }!
       *[lost] 📉 You lost place { $old } in "{ ct-title }"{ $place ->
            [0] {""} and are off the podium
           *[other] {""}, now place { $place }
        }. There is still time to catch up!
    }
ct-won =
    🎉 You won place { $place } in "{ ct-title }" with { $value }!
    { $money ->
        [yes] Your prize of { $amount } has been credited to your balance.
       *[no] Your prize: { $prize }. We will contact you to hand it over.
    }
ct-results = 🏁 "{ ct-title }" is over: you finished { $place } of { $count } with { $value }. Thank you for taking part!
ct-btn-name-menu = 🏷 Name on leaderboards
ct-name =
    🏷 How leaderboards show you: { $public ->
        [yes] by your name ({ $name })
       *[no] as "#{ $id }" (your name stays private)
    }
ct-btn-name-show = Show my name
ct-btn-name-hide = Hide my name

## Contests: managers
admin-btn-contests = 🏆 Contests
cta-home = 🏆 Contests ({ $count } latest). Open one or create a new one:
cta-item = #{ $id } { $title } · { $status }
cta-btn-new = ➕ New contest
cta-btn-open = 🏆 Open the contest
cta-btn-announce = 📣 Announce
cta-btn-confirm = ✅ Confirm the winners and pay the prizes
cta-btn-results = 📨 Send the results to participants
cta-ask-title-ru = Step { $step }/{ $steps }. The contest's title in Russian:
cta-ask-title-en = Step { $step }/{ $steps }. The title in English:
cta-ask-description-ru = Step { $step }/{ $steps }. The rules and description in Russian:
cta-ask-description-en = Step { $step }/{ $steps }. The description in English:
cta-ask-period = Step { $step }/{ $steps }. The period in { $zone }: two dates (2026-02-01 2026-02-28, the end day included) or with times (2026-02-01 10:00 2026-02-03 18:00).
cta-ask-metric = Step { $step }/{ $steps }. What ranks the partners?
cta-metric-conversions = Approved conversions
cta-metric-revenue = Approved revenue
cta-metric-clicks = Unique clicks
cta-metric-subpartners = New approved sub-partners
cta-ask-currency = Step { $step }/{ $steps }. The currency of the revenue that counts (three letters, e.g. RUB):
cta-ask-offers = Step { $step }/{ $steps }. Which offers count: "all", or offer numbers separated by commas (3, 5).
cta-ask-prizes =
    Step { $step }/{ $steps }. Prizes, one line per place:
    1: 5000 RUB — money credited to the balance
    2: Headphones — a prize described in words
cta-ask-opt-in = Step { $step }/{ $steps }. Who takes part?
cta-opt-in-yes = ✋ Those who press "I'm in"
cta-opt-in-no = 👥 Every partner automatically
cta-err-period = Send two dates as 2026-02-01 2026-02-28 (times as 2026-02-01 10:00 are optional).
cta-err-period-order = The end must come after the start, and a contest lasts at most { $days } days.
cta-err-offers = Send "all" or offer numbers separated by commas, e.g. 3, 5.
cta-err-offers-unknown = There are no offers { $ids }. Check the numbers in /admin → Offers and try again.
cta-err-prizes = One line per place from 1 without gaps (at most { $max }): "1: 5000 RUB" or "2: Headphones".
cta-card =
    🏆 #{ $id } { $title_en } / { $title_ru } — { $status }
    📅 { $period }
    📏 { ct-metric-name } · offers: { $offers } · { $opt_in ->
        [yes] opt-in
       *[no] everyone
    }
    🎁 Prizes:
    { $prizes }

    Standings ({ $participants }):
    { $top }
cta-done =
    { $outcome ->
        [announced] 📣 Announced: partners are being told.
        [awarded] ✅ Winners confirmed, prizes credited.
        [sent] 📨 Results sent to the participants.
        [already] Already done (by { $who }).
        [ended] This contest's period is already over: it cannot be announced.
        [not_settled] The results are not final yet (the settle time has not passed).
        [not_awarded] Confirm the winners first.
        [own] You are among the winners: another manager confirms.
       *[not_found] Contest not found.
    }
cta-settled =
    🏁 Contest #{ $id } "{ $title }" is final. Proposed winners:
    { $winners }
    Check them and confirm to pay the prizes.
