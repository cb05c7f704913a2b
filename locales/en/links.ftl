## Forms (shared engine)
btn-use-default = Use default: { $value }
err-use-buttons = Please choose one of the buttons.
err-url = Send a full link starting with http:// or https://, e.g. https://shop.example.com/landing
err-amount = Send an amount from { $min } to { $max }, e.g. 1500 or 99.90.
err-percent = Send a percentage from { $min } to { $max }, e.g. 30 or 12.5.
err-number-range = Send a whole number from { $min } to { $max }.
err-currency = Send a three-letter currency code, e.g. RUB, USD or EUR.
err-subids = Send one to five labels separated by spaces: letters, digits, _ - . (up to 64 each), e.g. tg_channel post_42

## Links
cmd-link = your tracking links
links-home =
    🔗 Your tracking links
    Share them anywhere you promote us: every click and sale is counted to you.

    { $links }

    Named links with sub-ids: { $named }. Create one per placement (channel, video, post) to see which works best.
links-no-offers = There are no active offers yet — we'll let you know when one opens.
link-item = 🏷 { $name }
link-btn-new = ➕ New link
link-btn-recruit = 🤝 Invite partners
link-choose-offer = Which offer is the new link for?
link-offer-item = { $name }
link-ask-name =
    { $step }/{ $steps }. Name the link so you recognise it in the stats (up to 32 characters), e.g. "Channel pinned post".
    { $has_current ->
        [yes] Current: { $current }
       *[no] {""}
    }
link-ask-subs = { $step }/{ $steps }. Sub-ids (placement labels for statistics): one to five words separated by spaces, e.g. tg_channel post_42. Or tap "Use default" to skip.
link-card =
    🏷 { $name }
    Offer: { $offer }
    { $url }
    Sub-ids: { $subs }
    Clicks: { $clicks }
link-btn-rename = ✏️ Rename
link-btn-archive = 🗄 Archive
link-archived = Link archived
link-limit = You have { $max } links already — archive some you no longer use.
link-recruit =
    🤝 Invite partners and earn a second-level commission on their sales.
    Your invitation links:
    { $links }
    Your code: { $code }
    Partners you invited: { $count }

## Staff: offers
admin-menu = 🛠 Staff tools{ $unrecorded ->
        [0] {""}
       *[other] {""}
            ⚠️ Clicks not recorded since the start (click store unavailable; visitors were still redirected): { $unrecorded }
    }
admin-btn-offers = 📦 Offers
admin-btn-review = 🔎 Conversions to review
offers-list = 📦 Offers: { $count }. Choose one to edit or create a new one.
offer-list-item = { $status ->
        [active] ▶️
       *[paused] ⏸
    } #{ $id } { $name }
offer-btn-new = ➕ New offer
offer-card =
    📦 Offer #{ $id }: { $name } ({ $status ->
        [active] active
       *[paused] paused
    })
    URL: { $url }
    Payout: { $model ->
        [cpa] CPA { $cpa } { $currency }
       *[revshare] revshare { $revshare ->
            [tier] by partner tier (30/35/40 %)
           *[other] { $revshare } %
        }
    }
    Currency: { $currency }
    Hold: { $hold } days · attribution window: { $window } days
    Second-level commission: { $l2 } %
offer-field-name = Name
offer-field-target_url = URL
offer-field-cpa_amount = CPA amount
offer-field-revshare_percent = Revshare %
offer-field-hold_days = Hold days
offer-field-attribution_days = Window days
offer-field-l2_percent = Level-2 %
offer-btn-pause = ⏸ Pause
offer-btn-resume = ▶️ Resume
offer-paused = Offer paused: new clicks get a "not found" page
offer-active = Offer resumed
offer-ask-name = { $step }/{ $steps }. Offer name (2–128 characters):
offer-ask-url = { $step }/{ $steps }. Target URL where visitors go (https://…):
offer-ask-model = { $step }/{ $steps }. How are partners paid?
offer-model-cpa = Fixed amount per conversion (CPA)
offer-model-revshare = Share of the sale (revshare)
offer-ask-cpa = { $step }/{ $steps }. Amount per conversion, e.g. 1500:
offer-ask-revshare = { $step }/{ $steps }. Revshare percent, or "Use default" to pay by partner tier (30/35/40 %):
offer-ask-currency = { $step }/{ $steps }. Currency (or type a three-letter code):
currency-rub = ₽ RUB
currency-usd = $ USD
currency-eur = € EUR
offer-ask-hold = { $step }/{ $steps }. Hold period in days before money becomes available:
offer-ask-window = { $step }/{ $steps }. Attribution window in days (how long after a click a sale still counts):
offer-ask-l2 = { $step }/{ $steps }. Second-level commission, % of the partner's commission paid to their inviter:

## Settings: notifications
settings-btn-notifications = 🔔 Notifications
settings-notifications = 🔔 Which messages do you want? Tap to switch.
mute-item = { $on ->
        [yes] 🔔
       *[no] 🔕
    } { $kind ->
        [conversion] Conversions
        [l2_conversion] Sub-partners' conversions
        [subpartner] New sub-partners
        [hold_released] Money available
        [alerts] Link alerts
        [materials] New materials
        [contest] Contests
        [digest] Weekly digest
        [nudge] Reminders when idle
        [partner_of_month] Partner of the month
       *[news] News
    }

## Staff: review of flagged conversions
review-list =
    🔎 Conversions waiting for review: { $count }
    { $items }
review-btn-clear = ✅ #{ $id } clear
review-btn-reject = ❌ #{ $id } reject
review-done = { $outcome ->
        [cleared] Conversion #{ $id } cleared: its money follows the usual hold.
        [rejected] Conversion #{ $id } rejected; the partner was told.
        [already_decided] Conversion #{ $id } was already decided by someone else.
       *[not_found] Conversion #{ $id } not found.
    }
