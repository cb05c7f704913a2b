## Stats
stats-period-name = { $period ->
        [today] Today
        [yesterday] Yesterday
        [last7] Last 7 days
        [last30] Last 30 days
        [month] This month
        [lastmonth] Last month
        [all] All time
       *[range] Period
    }
stats-period-dates = { $period ->
        [today] {" · "}{ $to }
        [yesterday] {" · "}{ $to }
        [all] {""}
       *[other] {" · "}{ $from } – { $to }
    }
stats-group-name = { $group ->
        [day] day
        [link] link
        [offer] offer
       *[other] { $group }
    }
stats-report =
    📊 { stats-period-name }{ stats-period-dates }
    🕒 Time zone: { $tz }

    👆 Clicks: { $clicks } · unique: { $unique }
    🎯 Conversions: ✅ { $approved } approved · ⏳ { $pending } pending · ❌ { $rejected } rejected · ↩️ { $refunded } refunded
    📈 CR: { $cr } % · EPC: { $epc }
    💵 Earned in the period: { $earnings }
    🤝 Second level: { $l2 }

    💰 Balance — on hold: { $hold } · available: { $available } · paid out: { $paid }
    { $has_rows ->
        [yes] {""}
            By { stats-group-name } (clicks · unique · conversions · earnings):
            { $rows }
       *[no] {""}
    }
    { $more ->
        [0] {""}
       *[other] …and { $more } more: the CSV has every row.
    }
stats-btn-period = { $on ->
        [yes] {"• "}
       *[no] {""}
    }{ $period ->
        [today] Today
        [yesterday] Yesterday
        [last7] 7 days
        [last30] 30 days
        [month] This month
        [lastmonth] Last month
       *[all] All time
    }
stats-btn-group = 🗂 By { stats-group-name }
stats-btn-group-item = { $on ->
        [yes] {"• "}
       *[no] {""}
    }By { stats-group-name }
stats-btn-chart = 📈 Chart
stats-btn-csv = 📄 CSV
stats-choose-group = How should the figures be grouped?
stats-exporting = { $what ->
        [chart] ⏳ Drawing the chart…
       *[csv] ⏳ Preparing the CSV…
    }
stats-chart-ready = 📈 Chart: { stats-period-name }{ stats-period-dates } ({ $tz })
stats-csv-ready = 📄 CSV: { stats-period-name }{ stats-period-dates }, { $count } rows ({ $tz })
stats-examples =
    Examples:
    /stats today · /stats yesterday · /stats 7d · /stats 30d
    /stats month · /stats lastmonth · /stats all
    /stats 2026-11-01 2026-11-15
    /stats 30d by sub1 (also by day, link, offer, sub2…sub5)
stats-err-form =
    🤔 I didn't understand the period “{ $text }”.
    { stats-examples }
stats-err-reversed =
    The start date { $from } is after the end date { $to }. Put the earlier date first: /stats { $to } { $from }
stats-err-too-long =
    That is { $days } days; a period can be at most { $max } days. For everything there is /stats all.
stats-err-date =
    “{ $date }” is not a date. Write dates as YYYY-MM-DD or DD.MM.YYYY.
    { stats-examples }
stats-err-group =
    I can't group by “{ $group }”: use by day, link, offer or sub1…sub5, e.g. /stats 30d by sub1.
stats-chart-title = { stats-period-name }{ stats-period-dates } · { $tz }
stats-chart-clicks = Clicks
stats-chart-unique = Unique clicks
stats-chart-conversions = Conversions (approved + pending)
stats-chart-earnings = Earnings
stats-csv-column = { $column ->
        [date] Date
        [link_id] Link ID
        [link] Link
        [offer_id] Offer ID
        [offer] Offer
        [clicks] Clicks
        [unique_clicks] Unique clicks
        [pending] Pending
        [approved] Approved
        [rejected] Rejected
        [refunded] Refunded
        [cr_percent] CR, %
        [earnings] Earnings, { $currency }
        [epc] EPC, { $currency }
        [l2] Second level, { $currency }
       *[other] { $column }
    }
stats-csv-total = Total
cmd-stats = statistics: clicks, conversions, earnings

## Stats alerts
stats-alert-no-conversions =
    ⚠️ Link “{ $link }” ({ $offer }): { $clicks } clicks in the last { $hours } h, but no conversions — at its usual rate there would be about { $expected }. Is the landing page working?
stats-alert-clicks-drop =
    📉 Link “{ $link }” ({ $offer }): { $clicks } clicks in the last { $hours } h, { $drop } % fewer than usual (on average { $expected } at this time over the past 7 days). Was a post removed or a placement paused?
stats-btn-open = 📊 Stats by link
