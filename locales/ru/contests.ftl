## Конкурсы: партнёры
ct-title = { $title_en ->
   *[other] { $title_ru }
}
ct-description = { $description_en ->
   *[other] { $description_ru }
}
cmd-contest = конкурсы и рейтинги
ct-metric-name =
    { $metric ->
        [conversions] подтверждённые конверсии
        [revenue] подтверждённая выручка в { $currency }
        [clicks] уникальные клики
       *[subpartners] новые одобренные субпартнёры
    }
ct-status-name =
    { $status ->
        [announced] скоро старт
        [running] идёт
        [finished] завершён, результаты проверяются
        [settled] завершён, победители утверждаются
        [awarded] завершён, победители объявлены
       *[other] { $status }
    }
ct-none = 🏆 Сейчас конкурсов нет. Мы сообщим, когда объявим следующий.
ct-list = 🏆 Конкурсы ({ $count }). Выберите, чтобы увидеть рейтинг:
ct-item = 🏆 { ct-title } · { ct-status-name }
ct-board =
    🏆 { ct-title } ({ ct-status-name })
    { ct-description }

    📅 { $period }
    📏 Считаем { ct-metric-name }
    🎁 Призы:
    { $prizes }
    { $opt_in ->
        [yes] { $joined ->
            [yes] ✅ Вы участвуете.
           *[no] ✋ Нажмите «Участвую», чтобы принять участие.
        }
       *[no] Участвуют все партнёры автоматически.
    }

    { $final ->
        [yes] Итоговый рейтинг (участников: { $participants }):
       *[no] Рейтинг (участников: { $participants }):
    }
    { $top }

    { $place ->
        [0] Вас пока нет в рейтинге.
        [1] 🥇 Вы лидируете: { $value }!
       *[other] Ваше место: { $place }, результат { $value }. До следующего места: ещё { $gap }.
    }
ct-btn-join = ✋ Участвую
ct-btn-refresh = 🔄 Обновить
ct-btn-open = 🏆 Рейтинг
ct-join-done =
    { $outcome ->
        [joined] ✅ Вы участвуете! Удачи.
        [already] Вы уже участвуете.
        [closed] Этот конкурс больше не принимает участников.
       *[not_opt_in] В этом конкурсе участвуют все автоматически.
    }
ct-announce =
    🏆 Новый конкурс: { ct-title }
    Откройте рейтинг, чтобы узнать правила и призы.
ct-podium =
    { $event ->
        [entered] 🥇 Вы в тройке лидеров конкурса «{ ct-title }»: { $place } место!
       *[lost] 📉 Вы потеряли { $old } место в конкурсе «{ ct-title }»{ $place ->
            [0] {""} и выбыли из тройки
           *[other] {""}, теперь вы на { $place } месте
        }. Ещё есть время догнать!
    }
ct-won =
    🎉 Вы заняли { $place } место в конкурсе «{ ct-title }» с результатом { $value }!
    { $money ->
        [yes] Приз { $amount } зачислен на ваш баланс.
       *[no] Ваш приз: { $prize }. Мы свяжемся с вами, чтобы его вручить.
    }
ct-results = 🏁 Конкурс «{ ct-title }» завершён: вы заняли { $place } место из { $count } с результатом { $value }. Спасибо за участие!
ct-btn-name-menu = 🏷 Имя в рейтингах
ct-name =
    🏷 Как вас показывают рейтинги: { $public ->
        [yes] по имени ({ $name })
       *[no] как «#{ $id }» (имя скрыто)
    }
ct-btn-name-show = Показывать моё имя
ct-btn-name-hide = Скрыть моё имя

## Конкурсы: менеджеры
admin-btn-contests = 🏆 Конкурсы
cta-home = 🏆 Конкурсы (последние { $count }). Откройте конкурс или создайте новый:
cta-item = #{ $id } { $title } · { $status }
cta-btn-new = ➕ Новый конкурс
cta-btn-open = 🏆 Открыть конкурс
cta-btn-announce = 📣 Объявить
cta-btn-confirm = ✅ Утвердить победителей и выплатить призы
cta-btn-results = 📨 Разослать итоги участникам
cta-ask-title-ru = Шаг { $step }/{ $steps }. Название конкурса на русском:
cta-ask-title-en = Шаг { $step }/{ $steps }. Название на английском:
cta-ask-description-ru = Шаг { $step }/{ $steps }. Правила и описание на русском:
cta-ask-description-en = Шаг { $step }/{ $steps }. Описание на английском:
cta-ask-period = Шаг { $step }/{ $steps }. Период по времени { $zone }: две даты (2026-02-01 2026-02-28, последний день включительно) или со временем (2026-02-01 10:00 2026-02-03 18:00).
cta-ask-metric = Шаг { $step }/{ $steps }. По какому показателю ранжировать?
cta-metric-conversions = Подтверждённые конверсии
cta-metric-revenue = Подтверждённая выручка
cta-metric-clicks = Уникальные клики
cta-metric-subpartners = Новые одобренные субпартнёры
cta-ask-currency = Шаг { $step }/{ $steps }. Валюта выручки, которая учитывается (три буквы, например RUB):
cta-ask-offers = Шаг { $step }/{ $steps }. Какие офферы учитываются: «all» (все) или номера офферов через запятую (3, 5).
cta-ask-prizes =
    Шаг { $step }/{ $steps }. Призы, по строке на место:
    1: 5000 RUB — деньги на баланс
    2: Наушники — приз, описанный словами
cta-ask-opt-in = Шаг { $step }/{ $steps }. Кто участвует?
cta-opt-in-yes = ✋ Те, кто нажмёт «Участвую»
cta-opt-in-no = 👥 Все партнёры автоматически
cta-err-period = Отправьте две даты: 2026-02-01 2026-02-28 (время, например 2026-02-01 10:00, — по желанию).
cta-err-period-order = Конец должен быть позже начала, а конкурс длится не больше { $days } дней.
cta-err-offers = Отправьте «all» или номера офферов через запятую, например 3, 5.
cta-err-offers-unknown = Нет офферов { $ids }. Проверьте номера в /admin → Офферы и попробуйте снова.
cta-err-prizes = По строке на место, с 1 и без пропусков (не больше { $max }): «1: 5000 RUB» или «2: Наушники».
cta-card =
    🏆 #{ $id } { $title_ru } / { $title_en } — { $status }
    📅 { $period }
    📏 { ct-metric-name } · офферы: { $offers } · { $opt_in ->
        [yes] по заявке
       *[no] все
    }
    🎁 Призы:
    { $prizes }

    Рейтинг ({ $participants }):
    { $top }
cta-done =
    { $outcome ->
        [announced] 📣 Объявлено: партнёрам отправляются сообщения.
        [awarded] ✅ Победители утверждены, призы зачислены.
        [sent] 📨 Итоги разосланы участникам.
        [already] Уже сделано ({ $who }).
        [ended] Период этого конкурса уже закончился: объявить нельзя.
        [not_settled] Итоги ещё не окончательные (время на поздние постбеки не истекло).
        [not_awarded] Сначала утвердите победителей.
        [own] Вы среди победителей: утверждает другой менеджер.
       *[not_found] Конкурс не найден.
    }
cta-settled =
    🏁 Итоги конкурса #{ $id } «{ $title }» окончательные. Предлагаемые победители:
    { $winners }
    Проверьте и утвердите, чтобы выплатить призы.
