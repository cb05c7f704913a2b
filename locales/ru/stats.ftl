## Статистика
stats-period-name = { $period ->
        [today] Сегодня
        [yesterday] Вчера
        [last7] Последние 7 дней
        [last30] Последние 30 дней
        [month] Этот месяц
        [lastmonth] Прошлый месяц
        [all] За всё время
       *[range] Период
    }
stats-period-dates = { $period ->
        [today] {" · "}{ $to }
        [yesterday] {" · "}{ $to }
        [all] {""}
       *[other] {" · "}{ $from } – { $to }
    }
stats-group-name = { $group ->
        [day] дням
        [link] ссылкам
        [offer] офферам
       *[other] { $group }
    }
stats-report =
    📊 { stats-period-name }{ stats-period-dates }
    🕒 Часовой пояс: { $tz }

    👆 Клики: { $clicks } · уникальные: { $unique }
    🎯 Конверсии: ✅ { $approved } одобрено · ⏳ { $pending } в ожидании · ❌ { $rejected } отклонено · ↩️ { $refunded } возврат
    📈 CR: { $cr } % · EPC: { $epc }
    💵 Заработано за период: { $earnings }
    🤝 Второй уровень: { $l2 }

    💰 Баланс — в холде: { $hold } · доступно: { $available } · выплачено: { $paid }
    { $has_rows ->
        [yes] {""}
            По { stats-group-name } (клики · уникальные · конверсии · заработок):
            { $rows }
       *[no] {""}
    }
    { $more ->
        [0] {""}
       *[other] …и ещё { $more }: все строки есть в CSV.
    }
stats-btn-period = { $on ->
        [yes] {"• "}
       *[no] {""}
    }{ $period ->
        [today] Сегодня
        [yesterday] Вчера
        [last7] 7 дней
        [last30] 30 дней
        [month] Этот месяц
        [lastmonth] Прошлый месяц
       *[all] Всё время
    }
stats-btn-group = 🗂 По { stats-group-name }
stats-btn-group-item = { $on ->
        [yes] {"• "}
       *[no] {""}
    }По { stats-group-name }
stats-btn-chart = 📈 График
stats-btn-csv = 📄 CSV
stats-choose-group = Как сгруппировать цифры?
stats-exporting = { $what ->
        [chart] ⏳ Рисую график…
       *[csv] ⏳ Готовлю CSV…
    }
stats-chart-ready = 📈 График: { stats-period-name }{ stats-period-dates } ({ $tz })
stats-csv-ready = 📄 CSV: { stats-period-name }{ stats-period-dates }, строк: { $count } ({ $tz })
stats-examples =
    Примеры:
    /stats today · /stats yesterday · /stats 7d · /stats 30d
    /stats month · /stats lastmonth · /stats all
    /stats 2026-11-01 2026-11-15
    /stats 30d by sub1 (а также by day, link, offer, sub2…sub5; можно «по ссылкам»)
stats-err-form =
    🤔 Не понял период «{ $text }».
    { stats-examples }
stats-err-reversed =
    Начальная дата { $from } позже конечной { $to }. Поставьте раньшую первой: /stats { $to } { $from }
stats-err-too-long =
    Это { $days } дн.; период может быть не длиннее { $max } дней. Для всего срока есть /stats all.
stats-err-date =
    «{ $date }» — не дата. Пишите даты как ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.
    { stats-examples }
stats-err-group =
    Не могу сгруппировать по «{ $group }»: можно by day, link, offer или sub1…sub5, например /stats 30d by sub1.
stats-chart-title = { stats-period-name }{ stats-period-dates } · { $tz }
stats-chart-clicks = Клики
stats-chart-unique = Уникальные клики
stats-chart-conversions = Конверсии (одобренные + в ожидании)
stats-chart-earnings = Заработок
stats-csv-column = { $column ->
        [date] Дата
        [link_id] ID ссылки
        [link] Ссылка
        [offer_id] ID оффера
        [offer] Оффер
        [clicks] Клики
        [unique_clicks] Уникальные клики
        [pending] В ожидании
        [approved] Одобрено
        [rejected] Отклонено
        [refunded] Возвраты
        [cr_percent] CR, %
        [earnings] Заработок, { $currency }
        [epc] EPC, { $currency }
        [l2] Второй уровень, { $currency }
       *[other] { $column }
    }
stats-csv-total = Итого
cmd-stats = статистика: клики, конверсии, заработок

## Предупреждения по ссылкам
stats-alert-no-conversions =
    ⚠️ Ссылка «{ $link }» ({ $offer }): { $clicks } кликов за последние { $hours } ч, но ни одной конверсии — обычно их было бы около { $expected }. Работает ли лендинг?
stats-alert-clicks-drop =
    📉 Ссылка «{ $link }» ({ $offer }): { $clicks } кликов за последние { $hours } ч — на { $drop } % меньше обычного (в среднем { $expected } в это время за прошлые 7 дней). Может, удалили пост или остановили размещение?
stats-btn-open = 📊 Статистика по ссылкам
