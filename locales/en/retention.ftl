## Settings: quiet hours and announcements
settings-btn-quiet = 🌙 Quiet hours
settings-btn-announce = { $on ->
        [yes] 🏆 Hide my name in announcements
       *[no] 🏆 Show my name in announcements
    }
quiet-menu =
    🌙 Quiet hours: { $window ->
        [none] off
       *[other] { $window }
    } (your time zone: { $timezone })
    Digests, reminders, news and announcements that come up in these hours wait until they end. Conversions, payouts and support replies always arrive at once.
    Pick a preset or type your own hours.
quiet-btn-preset = { $window }
quiet-btn-type = ⌨️ Type my hours
quiet-btn-off = 🔔 Turn quiet hours off
quiet-ask = Type your quiet hours as "from–to" in your time zone ({ $timezone }), e.g. 22:00–08:00 or 23-7:
quiet-saved = 🌙 Quiet hours set: { $window } ({ $timezone }).
quiet-err-format = ⚠️ I could not read that. Type two times of day, "from–to", e.g. 22:00–08:00 or 23-7.
quiet-err-same = ⚠️ The hours start and end at the same time ({ $time }). Type a window like 22:00–08:00.

## Weekly digest
digest =
    📊 Your week { $from } – { $to }
    Clicks: { $clicks } ({ $clicks_change ->
        [new] new
       *[other] { $clicks_change }
    } vs the week before)
    Conversions: { $conversions } ({ $conversions_change ->
        [new] new
       *[other] { $conversions_change }
    })
    Earnings: { $earnings } (the week before: { $earnings_before })
digest-btn-stats = 📈 Open the week's stats

## Inactivity nudge
nudge = { $has_material ->
        [no] 👋 No clicks on your links for { $days } days. A fresh post is often all it takes: your links are one tap away.
       *[other] 👋 No clicks on your links for { $days } days. Here is something fresh for { $offer }: "{ $material }" — ready to post.
    }
nudge-btn-material = 🎨 Open the material
nudge-btn-links = 🔗 My links

## Tiers
tier-up = 🎉 Congratulations! You reached { $new } (from { $old }): revshare offers now pay you { $percent } %.
tier-down = ℹ️ Monthly tier update: your tier is now { $new } (was { $old }), revshare { $percent } %. Approved sales of { $needed } in 30 days bring { $old } back.

## Partner of the month
potm-proposal =
    🏆 Partner of the month { $month }: #{ $partner_id } { $name }, approved revenue { $revenue }.
    In the announcement: { $shown ->
        [hidden] "Partner #{ $partner_id }" (they hide their name)
       *[other] { $shown }
    }
    { $status ->
        [approved] ✅ Announced by { $who }.
        [skipped] ⏭ Skipped by { $who }.
       *[other] Announce it to all partners?
    }
potm-btn-approve = ✅ Announce
potm-btn-skip = ⏭ Skip
potm-own = You cannot decide on your own award.
potm-already = Already decided: { $status ->
        [approved] announced
       *[other] skipped
    }.
potm-decided = { $status ->
        [approved] Announced
       *[other] Skipped
    }
potm-you = 🏆 You are the partner of the month { $month }, with { $revenue } of approved sales. Thank you — and congratulations!
potm-announce = 🏆 Partner of the month { $month }: { $name ->
        [hidden] Partner #{ $partner_id }
       *[other] { $name }
    }. Congratulations!

## Managers' morning summary
summary-morning =
    ☀️ Good morning! { $total ->
        [0] Nothing is waiting.
       *[other] Waiting for you:
    }
    📝 Applications: { $applications }{ $applications ->
        [0] {""}
       *[other] , oldest { $applications_hours } h
    }
    💸 Payout requests: { $payouts }{ $payouts ->
        [0] {""}
       *[other] , oldest { $payouts_hours } h
    }
    🔎 Flagged conversions: { $flagged }{ $flagged ->
        [0] {""}
       *[other] , oldest { $flagged_hours } h
    }
    🎫 Open tickets: { $tickets }{ $tickets ->
        [0] {""}
       *[other] , oldest { $tickets_hours } h
    }
