## Language choice
lang-ru = { $mark }🇷🇺 Русский
lang-en = { $mark }🇬🇧 English

## Common buttons
btn-back = ◀️ Back
btn-cancel = ✖️ Cancel
btn-accept-terms = ✅ I accept the terms
btn-approve = ✅ Approve
btn-reject = ❌ Reject

## Onboarding
ob-welcome =
    👋 Welcome to the partner program!
    Promote our offers, earn a commission on every sale and track everything right here.

    Choose your language:
ob-language-set = 🌐 Language saved. Let's fill in a short application — five quick questions.
ob-ask-name =
    1/5. What is your name? (2–64 characters)
    { $has_previous ->
        [yes] Current answer: { $previous }
       *[no] {""}
    }
ob-ask-email =
    2/5. Your contact e-mail, e.g. name@example.com
    { $has_previous ->
        [yes] Current answer: { $previous }
       *[no] {""}
    }
ob-ask-sources =
    3/5. Where will you promote us? Send links to your sites or channels (https://…, t.me/…, vk.com/… or @channel), separated by spaces or new lines.
    { $has_previous ->
        [yes] Current answer: { $previous }
       *[no] {""}
    }
ob-ask-audience =
    4/5. How large is your audience? Send a number, e.g. 15000 or 15k.
    { $has_previous ->
        [yes] Current answer: { $previous }
       *[no] {""}
    }
ob-ask-terms =
    5/5. Program terms:
    • Commission is paid for approved conversions after a 30-day hold.
    • Forbidden: spam, brand bidding, cookie stuffing, incentivised and fraudulent traffic.
    • Fraud leads to blocking and cancellation of unpaid commission.
    • We may change the terms and will notify you in this chat.
    Do you accept the terms?
ob-use-buttons = Please use the buttons below.
ob-cancelled = Application cancelled. Send /start whenever you want to begin again.
ob-resume = Let's continue where you left off.
ob-submitted =
    📨 Application #{ $id } has been sent! A manager will review it soon — you'll get a message here.
    Questions meanwhile? Use /support.
ob-approved =
    🎉 { $name }, your application is approved — welcome aboard!
    Use the menu below: links, statistics, materials, balance and support are all here.
ob-rejected =
    😔 Unfortunately, your application was declined.
    Reason: { reject-reason }
    If you think this is a mistake, write to /support.
ob-status-applied = ⏳ Your application is under review. We'll message you as soon as a manager decides.
ob-status-rejected =
    Your application was declined. Reason: { reject-reason }
    If you think this is a mistake, write to /support.
ob-status-blocked = ⛔ Your partner account is blocked. Contact /support if you have questions.

## Errors and re-prompts
err-text-expected = ✍️ Please send this answer as text.
err-too-short = Too short: at least { $min } characters, please.
err-too-long = Too long: { $length } characters, the limit is { $max }. Please shorten it.
ob-err-name = A name should contain letters. Please send your name.
ob-err-email = That doesn't look like an e-mail address. Please send one like name@example.com.
ob-err-sources = I couldn't recognise these as links or channels: { $bad }. Send URLs (https://…), t.me/…, vk.com/… or @channel.
ob-err-sources-count = Please send at most { $max } sources — your main ones.
ob-err-audience = Please send the audience size as a whole number, e.g. 15000, 15 000 or 15k.
err-not-allowed = ⛔ You don't have permission for this action.
err-stale-button = This button is outdated.
err-start-first = Send /start first.
err-unknown-command = Unknown command. /help lists what I can do.
err-not-understood = I didn't get that. Use the menu below or /help.
err-approved-only = This section opens after your application is approved.
cancelled = Cancelled.
cancel-nothing = There is nothing to cancel.

## Managers
reject-reason-traffic = the traffic sources don't fit the program
reject-reason-incomplete = the application is incomplete or the sources can't be verified
reject-reason-duplicate = a duplicate account
reject-reason-geo = the audience is outside the program's regions
reject-reason =
    { $preset ->
        [traffic] { reject-reason-traffic }
        [incomplete] { reject-reason-incomplete }
        [duplicate] { reject-reason-duplicate }
        [geo] { reject-reason-geo }
       *[none] { $reason }
    }
mgr-application-card =
    📝 Application #{ $id } (partner #{ $partner })
    Name: { $name }
    E-mail: { $email }
    Sources:
    { $sources }
    Audience: { $audience }
    Accounts: { $contacts }
    Language: { $locale }
    Invited by: { $parent }
    { $decision ->
        [approved] ✅ Approved by { $who }
        [rejected] ❌ Rejected by { $who }: { reject-reason }
       *[pending] ⏳ Waiting for a decision
    }
mgr-reject-ask = Why is application #{ $id } rejected? Pick a reason or type your own.
mgr-decision-saved = Decision saved.
mgr-already-decided = Already decided by { $who }.
staff-hello = 👋 Hi! You're staff here: new applications will arrive in this chat. /help lists commands.

## Referrals
ref-new-subpartner = 🤝 A new sub-partner joined with your link: { $name }. You'll earn a second-level commission on their sales.

## Main menu
menu-title = Main menu
menu-links = 🔗 Links
menu-stats = 📊 Stats
menu-materials = 🖼 Materials
menu-contests = 🏆 Contests
menu-balance = 💰 Balance
menu-faq = ❓ FAQ
menu-support = 💬 Support
menu-settings = ⚙️ Settings
section-soon = This section is being prepared and will open soon.

## Settings
settings-title =
    ⚙️ Settings
    Language: { $language ->
        [ru] Русский
       *[en] English
    }
    Time zone: { $timezone }
    Quiet hours: { $quiet ->
        [none] off
       *[other] { $quiet }
    }
    Partner of the month: { $announce ->
        [yes] my name may be shown
       *[no] shown as "Partner #id"
    }
settings-btn-language = 🌐 Language
settings-btn-timezone = 🕒 Time zone
settings-choose-language = Choose your language:
settings-language-saved = 🌐 Language set to English.
settings-saved = Saved
settings-choose-timezone = Choose your time zone (statistics and reports use it):
tz-label = { $zone }

## Commands
help =
    Commands:
    /start — { cmd-start }
    /link — { cmd-link }
    /stats — { cmd-stats }
    /dashboard — { cmd-dashboard }
    /faq — { cmd-faq }
    /contest — { cmd-contest }
    /support — { cmd-support }
    /help — { cmd-help }
    /language — { cmd-language }
    /cancel — { cmd-cancel }
cmd-start = start or show the main menu
cmd-help = list of commands
cmd-language = change language
cmd-cancel = cancel the current action

## Linking accounts
settings-btn-link-account = 🔗 Link Telegram / VK
acc-link-code =
    🔗 To get messages in your other messenger too, open this link there within { $minutes } minutes:
    { $links }
    Or send this code to the bot there: { $code }
acc-linked = ✅ Linked! This { $messenger ->
        [telegram] Telegram
       *[vk] VK
    } account now belongs to your partner profile, and notifications arrive here too.
acc-link-invalid = This code is wrong or expired. Get a new one in Settings → Link Telegram / VK.
acc-link-already = This account is already registered. Codes link a new messenger account to a partner profile.
acc-link-same-messenger = Your partner profile already has an account in this messenger.

## Balance and tiers
balance =
    💰 Balance (available · on hold{ $reserved ->
        [none] {""}
       *[other] {" "}· ⏳ being paid out
    }):
    { $balances }

    Latest movements:
    { $movements }

    Tier: { $tier } · approved sales in 30 days: { $revenue }
    { $next ->
        [none] You are at the top tier. 🏆
       *[other] { $missing } more to reach { $next }.
    }
tier-changed = 🏅 Your tier changed: { $old } → { $new }. Revshare offers now pay you { $percent } %.
