## Program KPIs (/kpi, /admin → KPIs)
admin-btn-kpi = 📈 Program KPIs
kpi-report =
    📈 Program KPIs · { stats-period-name }{ stats-period-dates } ({ $tz })
    Compared with { $prev_from } – { $prev_to }{ $has_offer ->
        [yes] {""}
            Offer: { $offer } (sign-ups, payouts, support and FAQ: whole program)
       *[no] {""}
    }

    👥 Active partners: { $active_partners }
    🆕 New partners: { $new_partners } · approved: { $approved_partners }
    ✅ Approval rate: { $approval_rate }
    🔁 Retention: { $retention }
    💵 ARPU: { $arpu }
    🔮 PLTV: { $pltv }

    👆 Clicks: { $clicks } · unique: { $unique_clicks }
    🎯 Conversions: { $conversions }
    📈 CR: { $cr }
    💰 EPC: { $epc }
    💼 Commissions accrued: { $commissions }
    💸 Paid out: { $paid }
    ⏳ Payouts pending: { $payouts_pending }
    🚩 Fraud-flag rate: { $fraud_rate }

    🎫 Support tickets: { $tickets }
    ⏱ Median first response: { $frt_known ->
        [yes] { $first_response_minutes } min ({ $frt_change })
       *[no] { $first_response_minutes } ({ $frt_change })
    }
    ⭐ CSAT: { $csat }
    ❓ FAQ deflection: { $deflection }

    🏆 Top partners (conversions · clicks · commissions):
    { $top_partners }
    🏆 Top offers (conversions · clicks · commissions):
    { $top_offers }
kpi-help =
    ℹ️ How the KPIs are counted (period P against the same number of days before it; "—" = nothing to compare with or divide by):
    • Active partners: partners with at least one click in P.
    • New partners: partners who sent their application in P. Approved: partners approved in P. Approval rate: approved ÷ decided applications in P.
    • Retention: of the partners active in the previous period, the share active again in P.
    • ARPU: commissions accrued ÷ active partners, per currency.
    • PLTV = ARPU per 30 days × expected lifetime; lifetime = 1 ÷ monthly churn (churn = 1 − retention scaled to 30 days), at most 36 months.
    • Clicks: every click answered. Conversions: created in P, pending or approved now. CR = conversions ÷ unique clicks. EPC = commissions ÷ clicks.
    • Commissions accrued: commission of those conversions. Paid out: payouts marked paid in P. Payouts pending: requested or approved, not paid or rejected, at the end of P.
    • Fraud-flag rate: conversions created in P with a fraud flag ÷ all conversions created in P.
    • Tickets opened in P; median time to the first answer; CSAT: average rating (1–5) given in P.
    • FAQ deflection: free-text questions in P answered without a person ÷ all of them.
kpi-btn-help = ℹ️ Definitions
kpi-btn-web = 🌐 Open in browser
kpi-err-period =
    🤔 I can't show KPIs for “{ $text }”.
    Examples: /kpi today · /kpi 7d · /kpi 30d · /kpi month · /kpi lastmonth · /kpi 2026-11-01 2026-11-30 · /kpi 30d offer 3
    A period is at most 366 days.
kpi-err-offer = There is no offer #{ $id }. Offers are listed in /admin → Offers.
kpi-file-failed = ⚠️ The file could not be made: the period or your access has changed. Open /kpi again.
kpi-chart-ready = 📈 KPI chart: { stats-period-name }{ stats-period-dates } ({ $tz })
kpi-csv-ready = 📄 KPI CSV: { stats-period-name }{ stats-period-dates } ({ $tz })
kpi-chart-title = Program KPIs · { stats-period-name }{ stats-period-dates } · { $tz }
kpi-web-link =
    🌐 Your personal link to the KPI page (works once, for { $minutes } min):
    { $url }
kpi-m-active_partners = Active partners
kpi-m-new_partners = New partners
kpi-m-approved_partners = Approved partners
kpi-m-approval_rate = Approval rate, %
kpi-m-retention = Retention, %
kpi-m-arpu = ARPU
kpi-m-pltv = PLTV
kpi-m-clicks = Clicks
kpi-m-unique_clicks = Unique clicks
kpi-m-conversions = Conversions
kpi-m-cr = CR, %
kpi-m-epc = EPC
kpi-m-commissions = Commissions accrued
kpi-m-paid = Paid out
kpi-m-payouts_pending = Payouts pending
kpi-m-fraud_rate = Fraud-flag rate, %
kpi-m-tickets = Support tickets
kpi-m-first_response_minutes = Median first response, min
kpi-m-csat = CSAT (1–5)
kpi-m-deflection = FAQ deflection, %
kpi-csv-metric = Metric
kpi-csv-currency = Currency
kpi-csv-change = Change, %
kpi-csv-top-partners = Top partners
kpi-csv-top-offers = Top offers
kpi-csv-day = Date
dash-web-kpi-title = Program KPIs
dash-web-kpi-previous = Compared with
dash-web-kpi-all-offers = All offers
dash-web-kpi-top-partners = Top partners
dash-web-kpi-top-offers = Top offers
dash-web-kpi-top-columns = Conversions · clicks · commissions
dash-web-kpi-trends = Trends per day
dash-web-kpi-not-staff = This page is for managers and admins. Open /kpi in the bot and press “Open in browser”.
