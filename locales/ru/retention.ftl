## Настройки: тихие часы и объявления
settings-btn-quiet = 🌙 Тихие часы
settings-btn-announce = { $on ->
        [yes] 🏆 Скрывать моё имя в объявлениях
       *[no] 🏆 Показывать моё имя в объявлениях
    }
quiet-menu =
    🌙 Тихие часы: { $window ->
        [none] выключены
       *[other] { $window }
    } (ваш часовой пояс: { $timezone })
    Итоги недели, напоминания, новости и объявления, появившиеся в эти часы, придут после их окончания. Конверсии, выплаты и ответы поддержки приходят сразу.
    Выберите готовый вариант или введите свои часы.
quiet-btn-preset = { $window }
quiet-btn-type = ⌨️ Ввести свои часы
quiet-btn-off = 🔔 Выключить тихие часы
quiet-ask = Введите тихие часы как «с–по» в вашем часовом поясе ({ $timezone }), например 22:00–08:00 или 23-7:
quiet-saved = 🌙 Тихие часы: { $window } ({ $timezone }).
quiet-err-format = ⚠️ Не удалось разобрать. Введите два времени «с–по», например 22:00–08:00 или 23-7.
quiet-err-same = ⚠️ Начало и конец совпадают ({ $time }). Введите промежуток, например 22:00–08:00.

## Итоги недели
digest =
    📊 Ваша неделя { $from } – { $to }
    Клики: { $clicks } ({ $clicks_change ->
        [new] впервые
       *[other] { $clicks_change }
    } к прошлой неделе)
    Конверсии: { $conversions } ({ $conversions_change ->
        [new] впервые
       *[other] { $conversions_change }
    })
    Заработок: { $earnings } (неделей раньше: { $earnings_before })
digest-btn-stats = 📈 Статистика за неделю

## Напоминание при простое
nudge = { $has_material ->
        [no] 👋 По вашим ссылкам не было кликов { $days } дн. Часто достаточно одного свежего поста — ссылки под рукой.
       *[other] 👋 По вашим ссылкам не было кликов { $days } дн. Вот свежий материал для «{ $offer }»: «{ $material }» — можно публиковать.
    }
nudge-btn-material = 🎨 Открыть материал
nudge-btn-links = 🔗 Мои ссылки

## Уровни
tier-up = 🎉 Поздравляем! Ваш уровень — { $new } (был { $old }): ревшара теперь { $percent } %.
tier-down = ℹ️ Ежемесячный пересчёт уровней: ваш уровень теперь { $new } (был { $old }), ревшара { $percent } %. Одобренные продажи на { $needed } за 30 дней вернут уровень { $old }.

## Партнёр месяца
potm-proposal =
    🏆 Партнёр месяца { $month }: №{ $partner_id } { $name }, одобренная выручка { $revenue }.
    В объявлении: { $shown ->
        [hidden] «Партнёр №{ $partner_id }» (имя скрыто партнёром)
       *[other] { $shown }
    }
    { $status ->
        [approved] ✅ Объявил(а) { $who }.
        [skipped] ⏭ Пропустил(а) { $who }.
       *[other] Объявить всем партнёрам?
    }
potm-btn-approve = ✅ Объявить
potm-btn-skip = ⏭ Пропустить
potm-own = Нельзя решать о собственной награде.
potm-already = Уже решено: { $status ->
        [approved] объявлено
       *[other] пропущено
    }.
potm-decided = { $status ->
        [approved] Объявлено
       *[other] Пропущено
    }
potm-you = 🏆 Вы — партнёр месяца { $month }: одобренные продажи на { $revenue }. Спасибо и поздравляем!
potm-announce = 🏆 Партнёр месяца { $month }: { $name ->
        [hidden] Партнёр №{ $partner_id }
       *[other] { $name }
    }. Поздравляем!

## Утренняя сводка для менеджеров
summary-morning =
    ☀️ Доброе утро! { $total ->
        [0] Ничего не ждёт.
       *[other] Ждут вас:
    }
    📝 Заявки: { $applications }{ $applications ->
        [0] {""}
       *[other] , самой старой { $applications_hours } ч
    }
    💸 Запросы выплат: { $payouts }{ $payouts ->
        [0] {""}
       *[other] , самому старому { $payouts_hours } ч
    }
    🔎 Подозрительные конверсии: { $flagged }{ $flagged ->
        [0] {""}
       *[other] , самой старой { $flagged_hours } ч
    }
    🎫 Открытые обращения: { $tickets }{ $tickets ->
        [0] {""}
       *[other] , самому старому { $tickets_hours } ч
    }
