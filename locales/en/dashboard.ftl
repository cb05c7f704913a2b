## Web dashboard: the bot side
cmd-dashboard = statistics in your browser
dash-link =
    📊 Your personal dashboard: charts, tables by link and sub-id, CSV export.

    { $url }

    The link works once and for { $minutes } minutes — don't share it. Need a new one? Send /dashboard.
dash-open = 📊 Open the dashboard
dash-menu-button = Dashboard

## Web dashboard: the page (dash-web-* keys are sent to the page whole)
dash-web-title = Partner dashboard
dash-web-loading = Loading…
dash-web-error = Couldn't load the figures. Check your connection and try again.
dash-web-retry = Try again
dash-web-auth-title = Open the dashboard from the bot
dash-web-auth-text = Your figures are shown only to you. In Telegram, tap the Dashboard button next to the message field; in Telegram or VK you can also send /dashboard to the bot and open the link it gives you.
dash-web-approved-title = Not available yet
dash-web-approved-text = The dashboard opens once your partner application is approved. We'll let you know in the bot.
dash-web-continue-title = Opening your dashboard…
dash-web-continue = Open the dashboard
dash-web-link-dead-title = This link has expired or was already used
dash-web-link-dead-text = Sign-in links work once and for 15 minutes. Send /dashboard to the bot to get a fresh one.
dash-web-tz = Time zone
dash-web-p-today = Today
dash-web-p-yesterday = Yesterday
dash-web-p-7d = 7 days
dash-web-p-30d = 30 days
dash-web-p-month = This month
dash-web-p-lastmonth = Last month
dash-web-p-all = All time
dash-web-clicks = Clicks
dash-web-unique = Unique clicks
dash-web-conversions = Conversions
dash-web-cr = CR
dash-web-epc = EPC
dash-web-earnings = Earnings
dash-web-l2 = Second level
dash-web-approved = Approved
dash-web-pending = Pending
dash-web-rejected = Rejected
dash-web-refunded = Refunded
dash-web-balance = Balance
dash-web-contests = Contests
dash-web-contest-place = Your place
dash-web-contest-gap = to the next place
dash-web-on-hold = On hold
dash-web-available = Available
dash-web-paid-out = Paid out
dash-web-chart = By day
dash-web-breakdown = Breakdown
dash-web-g-day = Days
dash-web-g-link = Links
dash-web-g-offer = Offers
dash-web-g-sub = Sub-ID
dash-web-col-name = Name
dash-web-col-unique = Unique
dash-web-col-conv = Conv.
dash-web-earnings-hint = Approved and pending conversions
dash-web-col-day = Day
dash-web-empty = Nothing in this period yet.
dash-web-csv = CSV
dash-web-csv-hint = Download the table as CSV
