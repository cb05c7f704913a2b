## Ключевые показатели программы (/kpi, /admin → KPI)
admin-btn-kpi = 📈 Показатели программы
kpi-report =
    📈 Показатели программы · { stats-period-name }{ stats-period-dates } ({ $tz })
    В сравнении с { $prev_from } – { $prev_to }{ $has_offer ->
        [yes] {""}
            Оффер: { $offer } (регистрации, выплаты, поддержка и FAQ — по всей программе)
       *[no] {""}
    }

    👥 Активные партнёры: { $active_partners }
    🆕 Новые партнёры: { $new_partners } · одобрено: { $approved_partners }
    ✅ Доля одобренных заявок: { $approval_rate }
    🔁 Удержание: { $retention }
    💵 ARPU: { $arpu }
    🔮 PLTV: { $pltv }

    👆 Клики: { $clicks } · уникальные: { $unique_clicks }
    🎯 Конверсии: { $conversions }
    📈 CR: { $cr }
    💰 EPC: { $epc }
    💼 Начислено комиссий: { $commissions }
    💸 Выплачено: { $paid }
    ⏳ Выплаты в ожидании: { $payouts_pending }
    🚩 Доля конверсий с фрод-флагом: { $fraud_rate }

    🎫 Обращения в поддержку: { $tickets }
    ⏱ Медиана первого ответа: { $frt_known ->
        [yes] { $first_response_minutes } мин ({ $frt_change })
       *[no] { $first_response_minutes } ({ $frt_change })
    }
    ⭐ CSAT: { $csat }
    ❓ Решено через FAQ: { $deflection }

    🏆 Лучшие партнёры (конверсии · клики · комиссии):
    { $top_partners }
    🏆 Лучшие офферы (конверсии · клики · комиссии):
    { $top_offers }
kpi-help =
    ℹ️ Как считаются показатели (период P против такого же числа дней перед ним; «—» — не с чем сравнить или не на что делить):
    • Активные партнёры: партнёры хотя бы с одним кликом в P.
    • Новые партнёры: отправившие заявку в P. Одобрено: одобренные в P. Доля одобренных: одобренные ÷ рассмотренные в P заявки.
    • Удержание: из партнёров, активных в предыдущем периоде, доля снова активных в P.
    • ARPU: начисленные комиссии ÷ активные партнёры, по каждой валюте.
    • PLTV = ARPU за 30 дней × ожидаемый срок жизни; срок = 1 ÷ месячный отток (отток = 1 − удержание, пересчитанное на 30 дней), не больше 36 месяцев.
    • Клики: все обработанные клики. Конверсии: созданные в P, сейчас в ожидании или одобренные. CR = конверсии ÷ уникальные клики. EPC = комиссии ÷ клики.
    • Начислено комиссий: комиссия этих конверсий. Выплачено: выплаты, отмеченные оплаченными в P. Выплаты в ожидании: запрошенные или одобренные, не оплаченные и не отклонённые на конец P.
    • Доля с фрод-флагом: созданные в P конверсии с фрод-флагом ÷ все созданные в P конверсии.
    • Обращения, открытые в P; медиана времени до первого ответа; CSAT: средняя оценка (1–5), поставленная в P.
    • Решено через FAQ: вопросы в свободной форме за P, решённые без человека ÷ все такие вопросы.
kpi-btn-help = ℹ️ Определения
kpi-btn-web = 🌐 Открыть в браузере
kpi-err-period =
    🤔 Не могу показать показатели за «{ $text }».
    Примеры: /kpi сегодня · /kpi 7d · /kpi 30d · /kpi месяц · /kpi прошлый месяц · /kpi 2026-11-01 2026-11-30 · /kpi 30d оффер 3
    Период — не больше 366 дней.
kpi-err-offer = Оффера #{ $id } нет. Офферы — в /admin → Офферы.
kpi-file-failed = ⚠️ Не удалось подготовить файл: период или ваш доступ изменились. Откройте /kpi снова.
kpi-chart-ready = 📈 График показателей: { stats-period-name }{ stats-period-dates } ({ $tz })
kpi-csv-ready = 📄 CSV показателей: { stats-period-name }{ stats-period-dates } ({ $tz })
kpi-chart-title = Показатели программы · { stats-period-name }{ stats-period-dates } · { $tz }
kpi-web-link =
    🌐 Ваша личная ссылка на страницу показателей (одноразовая, действует { $minutes } мин):
    { $url }
kpi-m-active_partners = Активные партнёры
kpi-m-new_partners = Новые партнёры
kpi-m-approved_partners = Одобренные партнёры
kpi-m-approval_rate = Доля одобренных заявок, %
kpi-m-retention = Удержание, %
kpi-m-arpu = ARPU
kpi-m-pltv = PLTV
kpi-m-clicks = Клики
kpi-m-unique_clicks = Уникальные клики
kpi-m-conversions = Конверсии
kpi-m-cr = CR, %
kpi-m-epc = EPC
kpi-m-commissions = Начислено комиссий
kpi-m-paid = Выплачено
kpi-m-payouts_pending = Выплаты в ожидании
kpi-m-fraud_rate = Доля с фрод-флагом, %
kpi-m-tickets = Обращения в поддержку
kpi-m-first_response_minutes = Медиана первого ответа, мин
kpi-m-csat = CSAT (1–5)
kpi-m-deflection = Решено через FAQ, %
kpi-csv-metric = Показатель
kpi-csv-currency = Валюта
kpi-csv-change = Изменение, %
kpi-csv-top-partners = Лучшие партнёры
kpi-csv-top-offers = Лучшие офферы
kpi-csv-day = Дата
dash-web-kpi-title = Показатели программы
dash-web-kpi-previous = В сравнении с
dash-web-kpi-all-offers = Все офферы
dash-web-kpi-top-partners = Лучшие партнёры
dash-web-kpi-top-offers = Лучшие офферы
dash-web-kpi-top-columns = Конверсии · клики · комиссии
dash-web-kpi-trends = Динамика по дням
dash-web-kpi-not-staff = Эта страница — для менеджеров и администраторов. Откройте /kpi в боте и нажмите «Открыть в браузере».
