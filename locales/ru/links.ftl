## Формы (общий механизм)
btn-use-default = По умолчанию: { $value }
err-use-buttons = Пожалуйста, выберите одну из кнопок.
err-url = Пришлите полную ссылку, начинающуюся с http:// или https://, например https://shop.example.com/landing
err-amount = Пришлите сумму от { $min } до { $max }, например 1500 или 99.90.
err-percent = Пришлите процент от { $min } до { $max }, например 30 или 12.5.
err-number-range = Пришлите целое число от { $min } до { $max }.
err-currency = Пришлите трёхбуквенный код валюты, например RUB, USD или EUR.
err-subids = Пришлите от одной до пяти меток через пробел: латиница, цифры, _ - . (до 64 символов каждая), например tg_channel post_42

## Ссылки
cmd-link = ваши трекинговые ссылки
links-home =
    🔗 Ваши трекинговые ссылки
    Размещайте их везде, где рассказываете о нас: каждый клик и продажа засчитываются вам.

    { $links }

    Именных ссылок с саб-айди: { $named }. Заведите отдельную на каждое размещение (канал, видео, пост), чтобы видеть, что работает лучше.
links-no-offers = Активных офферов пока нет — сообщим, как только появятся.
link-item = 🏷 { $name }
link-btn-new = ➕ Новая ссылка
link-btn-recruit = 🤝 Пригласить партнёров
link-choose-offer = Для какого оффера новая ссылка?
link-offer-item = { $name }
link-ask-name =
    { $step }/{ $steps }. Назовите ссылку, чтобы узнавать её в статистике (до 32 символов), например «Закреп в канале».
    { $has_current ->
        [yes] Сейчас: { $current }
       *[no] {""}
    }
link-ask-subs = { $step }/{ $steps }. Саб-айди (метки размещения для статистики): от одного до пяти слов через пробел, например tg_channel post_42. Или нажмите «По умолчанию», чтобы пропустить.
link-card =
    🏷 { $name }
    Оффер: { $offer }
    { $url }
    Саб-айди: { $subs }
    Клики: { $clicks }
link-btn-rename = ✏️ Переименовать
link-btn-archive = 🗄 В архив
link-archived = Ссылка в архиве
link-limit = У вас уже { $max } ссылок — уберите в архив те, что больше не нужны.
link-recruit =
    🤝 Приглашайте партнёров и получайте комиссию второго уровня с их продаж.
    Ваши пригласительные ссылки:
    { $links }
    Ваш код: { $code }
    Приглашено партнёров: { $count }

## Команда: офферы
admin-menu = 🛠 Инструменты команды{ $unrecorded ->
        [0] {""}
       *[other] {""}
            ⚠️ Клики, не записанные с запуска (хранилище кликов недоступно; посетители всё равно переадресованы): { $unrecorded }
    }
admin-btn-offers = 📦 Офферы
admin-btn-review = 🔎 Конверсии на проверку
offers-list = 📦 Офферов: { $count }. Выберите оффер для правки или создайте новый.
offer-list-item = { $status ->
        [active] ▶️
       *[paused] ⏸
    } №{ $id } { $name }
offer-btn-new = ➕ Новый оффер
offer-card =
    📦 Оффер №{ $id }: { $name } ({ $status ->
        [active] активен
       *[paused] на паузе
    })
    URL: { $url }
    Выплата: { $model ->
        [cpa] CPA { $cpa } { $currency }
       *[revshare] ревшара { $revshare ->
            [tier] по уровню партнёра (30/35/40 %)
           *[other] { $revshare } %
        }
    }
    Валюта: { $currency }
    Холд: { $hold } дн. · окно атрибуции: { $window } дн.
    Комиссия второго уровня: { $l2 } %
offer-field-name = Название
offer-field-target_url = URL
offer-field-cpa_amount = Сумма CPA
offer-field-revshare_percent = Ревшара %
offer-field-hold_days = Холд, дни
offer-field-attribution_days = Окно, дни
offer-field-l2_percent = 2-й уровень %
offer-btn-pause = ⏸ Пауза
offer-btn-resume = ▶️ Возобновить
offer-paused = Оффер на паузе: новые клики получат страницу «не найдено»
offer-active = Оффер возобновлён
offer-ask-name = { $step }/{ $steps }. Название оффера (2–128 символов):
offer-ask-url = { $step }/{ $steps }. Целевой URL, куда попадают посетители (https://…):
offer-ask-model = { $step }/{ $steps }. Как платим партнёрам?
offer-model-cpa = Фиксированная сумма за конверсию (CPA)
offer-model-revshare = Доля от продажи (ревшара)
offer-ask-cpa = { $step }/{ $steps }. Сумма за конверсию, например 1500:
offer-ask-revshare = { $step }/{ $steps }. Процент ревшары или «По умолчанию» — по уровню партнёра (30/35/40 %):
offer-ask-currency = { $step }/{ $steps }. Валюта (или введите трёхбуквенный код):
currency-rub = ₽ RUB
currency-usd = $ USD
currency-eur = € EUR
offer-ask-hold = { $step }/{ $steps }. Холд в днях, после которого деньги станут доступны:
offer-ask-window = { $step }/{ $steps }. Окно атрибуции в днях (сколько после клика засчитывается продажа):
offer-ask-l2 = { $step }/{ $steps }. Комиссия второго уровня, % от комиссии партнёра, который получает пригласивший:

## Настройки: уведомления
settings-btn-notifications = 🔔 Уведомления
settings-notifications = 🔔 Какие сообщения присылать? Нажмите, чтобы переключить.
mute-item = { $on ->
        [yes] 🔔
       *[no] 🔕
    } { $kind ->
        [conversion] Конверсии
        [l2_conversion] Конверсии субпартнёров
        [subpartner] Новые субпартнёры
        [hold_released] Деньги доступны
        [alerts] Предупреждения по ссылкам
        [materials] Новые материалы
        [contest] Конкурсы
        [digest] Итоги недели
        [nudge] Напоминания при простое
        [partner_of_month] Партнёр месяца
       *[news] Новости
    }

## Команда: проверка подозрительных конверсий
review-list =
    🔎 Конверсий на проверке: { $count }
    { $items }
review-btn-clear = ✅ №{ $id } одобрить
review-btn-reject = ❌ №{ $id } отклонить
review-done = { $outcome ->
        [cleared] Конверсия №{ $id } одобрена: деньги пойдут по обычному холду.
        [rejected] Конверсия №{ $id } отклонена, партнёру сообщили.
        [already_decided] По конверсии №{ $id } уже решил кто-то другой.
       *[not_found] Конверсия №{ $id } не найдена.
    }
