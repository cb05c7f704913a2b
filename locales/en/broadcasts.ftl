# Broadcasts: /broadcast, /admin → Broadcasts (managers and admins)
admin-btn-broadcasts = 📣 Broadcasts
bc-home = 📣 Broadcasts (latest first):
    { $items }
bc-item = #{ $id } · { $state }
bc-btn-new = ➕ New broadcast
bc-ask-text = Send the message for partners: text, or one photo with a caption (up to 1024 characters then).
    Telegram keeps your formatting (bold, italics, links); VK receives plain text.
bc-btn-discard = ✖ Discard
bc-ask-button = Add a link button under the message? Send it as: Label | https://example.com
bc-btn-skip = No button
bc-audience = Who gets it? Partners who muted news or blocked the bot are skipped in every case.
bc-kind-all = Everyone approved
bc-kind-ids = CSV of partner ids
bc-kind-tier = By tier
bc-kind-messenger = By messenger
bc-kind-lang = By language
bc-kind-offer = By offer
bc-kind-active = Active in N days
bc-kind-inactive = Inactive in N days
bc-pick-value = Choose the { $kind ->
        [tier] tier
        [messenger] messenger
        [lang] language
       *[offer] offer (partners with a link to it)
    }:
bc-value-certified = Certified
bc-value-gold = Gold
bc-value-platinum = Platinum
bc-value-telegram = Telegram
bc-value-vk = VK
bc-value-ru = Russian
bc-value-en = English
bc-value-offer = { $name }
bc-ask-days = { $kind ->
        [active] Partners with clicks
       *[inactive] Partners without clicks
    } in how many last days? Send a number from 1 to 365.
bc-ask-csv = Send a CSV file with partner ids in the first column (a header line is fine).
bc-summary = 📣 Broadcast #{ $id } is ready (the preview is above).
    Audience: { $kind ->
        [tier] tier { $value }
        [messenger] { $value } users
        [lang] language { $value }
        [offer] offer «{ $value }»
        [active] active in the last { $value } days
        [inactive] inactive in the last { $value } days
        [ids] { $value } ids from the CSV
       *[all] all approved partners
    }
    Recipients: { $total } (Telegram { $telegram }, VK { $vk })
bc-btn-send = 🚀 Send now
bc-btn-schedule = 🕒 Schedule
bc-btn-audience = 👥 Audience
bc-ask-when = When to send it? Your time zone is { $tz } (now { $now }). Send e.g. 18:30, 03.12 18:30 or 2026-12-03 18:30.
bc-scheduled = 🕒 Broadcast #{ $id } will go out on { $when } ({ $tz }).
bc-btn-cancel = ⛔ Cancel
bc-started = 🚀 Broadcast #{ $id } started: { $total } recipients. Progress follows.
bc-discarded = The draft is discarded.
bc-progress = 📣 Broadcast #{ $id }: { $state ->
        [running] sending
        [paused] paused
        [done] finished
        [cancelled] cancelled
       *[other] { $state }
    }
    { $bar } { $percent }%
    ✅ sent { $sent } · ❌ failed { $failed } · 🚫 blocked the bot { $unreachable }
    ⏳ left { $pending } · 🌙 waiting for quiet hours to end { $waiting } · of { $total }
    { $rate } msg/s · ETA { $eta }
bc-btn-pause = ⏸ Pause
bc-btn-resume = ▶️ Resume
bc-btn-csv = 📄 Failures (CSV)
bc-report = 📣 Broadcast #{ $id } { $state ->
        [cancelled] was cancelled
       *[other] is finished
    }: sent { $sent }, failed { $failed }, blocked the bot { $unreachable }, not sent { $left }.
bc-csv = Recipients of broadcast #{ $id } who did not get it.
bc-paused = Paused
bc-resumed = Resumed
bc-cancelled = Cancelled
bc-already = Already done
bc-finished = The broadcast has already ended
bc-err-content = Send text, or one photo with a caption.
bc-err-button = Send the button as: Label | https://example.com
bc-err-when = Send a time like 18:30, 03.12 18:30 or 2026-12-03 18:30.
bc-err-when-range = That time is in the past or more than 60 days ahead.
bc-err-csv-file = Send the CSV as a file (a document).
bc-err-csv-empty = No partner ids found in the file: put them in the first column.
bc-err-csv-size = The file is too large: up to 100 000 ids and 2 MB.
