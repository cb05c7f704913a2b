# Рассылки: /broadcast, /admin → Рассылки (менеджеры и администраторы)
admin-btn-broadcasts = 📣 Рассылки
bc-home = 📣 Рассылки (новые сверху):
    { $items }
bc-item = #{ $id } · { $state }
bc-btn-new = ➕ Новая рассылка
bc-ask-text = Пришлите сообщение для партнёров: текст или одно фото с подписью (тогда до 1024 символов).
    В Telegram форматирование (жирный, курсив, ссылки) сохранится; в VK уйдёт простой текст.
bc-btn-discard = ✖ Удалить черновик
bc-ask-button = Добавить кнопку-ссылку под сообщением? Пришлите её так: Текст | https://example.com
bc-btn-skip = Без кнопки
bc-audience = Кому отправить? Партнёры, отключившие новости или заблокировавшие бота, пропускаются всегда.
bc-kind-all = Всем одобренным
bc-kind-ids = CSV с id партнёров
bc-kind-tier = По уровню
bc-kind-messenger = По мессенджеру
bc-kind-lang = По языку
bc-kind-offer = По офферу
bc-kind-active = Активным за N дней
bc-kind-inactive = Неактивным за N дней
bc-pick-value = Выберите { $kind ->
        [tier] уровень
        [messenger] мессенджер
        [lang] язык
       *[offer] оффер (партнёры со ссылкой на него)
    }:
bc-value-certified = Certified
bc-value-gold = Gold
bc-value-platinum = Platinum
bc-value-telegram = Telegram
bc-value-vk = VK
bc-value-ru = Русский
bc-value-en = Английский
bc-value-offer = { $name }
bc-ask-days = { $kind ->
        [active] Партнёрам с кликами
       *[inactive] Партнёрам без кликов
    } за сколько последних дней? Пришлите число от 1 до 365.
bc-ask-csv = Пришлите CSV-файл с id партнёров в первом столбце (строка заголовка не мешает).
bc-summary = 📣 Рассылка #{ $id } готова (предпросмотр выше).
    Аудитория: { $kind ->
        [tier] уровень { $value }
        [messenger] пользователи { $value }
        [lang] язык { $value }
        [offer] оффер «{ $value }»
        [active] активные за { $value } дн.
        [inactive] неактивные за { $value } дн.
        [ids] { $value } id из CSV
       *[all] все одобренные партнёры
    }
    Получателей: { $total } (Telegram { $telegram }, VK { $vk })
bc-btn-send = 🚀 Отправить сейчас
bc-btn-schedule = 🕒 Запланировать
bc-btn-audience = 👥 Аудитория
bc-ask-when = Когда отправить? Ваш часовой пояс { $tz } (сейчас { $now }). Пришлите, например, 18:30, 03.12 18:30 или 2026-12-03 18:30.
bc-scheduled = 🕒 Рассылка #{ $id } уйдёт { $when } ({ $tz }).
bc-btn-cancel = ⛔ Отменить
bc-started = 🚀 Рассылка #{ $id } началась: получателей { $total }. Ход отправки — ниже.
bc-discarded = Черновик удалён.
bc-progress = 📣 Рассылка #{ $id }: { $state ->
        [running] отправляется
        [paused] на паузе
        [done] завершена
        [cancelled] отменена
       *[other] { $state }
    }
    { $bar } { $percent }%
    ✅ отправлено { $sent } · ❌ ошибки { $failed } · 🚫 заблокировали бота { $unreachable }
    ⏳ осталось { $pending } · 🌙 ждут конца тихих часов { $waiting } · из { $total }
    { $rate } сообщ./с · осталось времени { $eta }
bc-btn-pause = ⏸ Пауза
bc-btn-resume = ▶️ Продолжить
bc-btn-csv = 📄 Неудачи (CSV)
bc-report = 📣 Рассылка #{ $id } { $state ->
        [cancelled] отменена
       *[other] завершена
    }: отправлено { $sent }, ошибки { $failed }, заблокировали бота { $unreachable }, не отправлено { $left }.
bc-csv = Получатели рассылки #{ $id }, до которых она не дошла.
bc-paused = На паузе
bc-resumed = Продолжаем
bc-cancelled = Отменено
bc-already = Уже сделано
bc-finished = Рассылка уже закончилась
bc-err-content = Пришлите текст или одно фото с подписью.
bc-err-button = Пришлите кнопку так: Текст | https://example.com
bc-err-when = Пришлите время, например 18:30, 03.12 18:30 или 2026-12-03 18:30.
bc-err-when-range = Это время уже прошло или оно дальше чем через 60 дней.
bc-err-csv-file = Пришлите CSV файлом (документом).
bc-err-csv-empty = В файле не нашлось id партнёров: укажите их в первом столбце.
bc-err-csv-size = Файл слишком большой: до 100 000 id и 2 МБ.
