## Материалы: партнёры
page-prev = ◀️ Предыдущая
page-next = Следующая ▶️
mat-none = Материалов пока нет — сообщим, когда появятся баннеры и тексты.
mat-offers = 🖼 Материалы: выберите оффер.{ $pages ->
        [1] {""}
       *[other] {" "}Страница { $page }/{ $pages }.
    }
mat-offer-item = { $name } ({ $count })
mat-list =
    🖼 { $offer }: материалов — { $count }{ $pages ->
        [1] {""}
       *[other] , страница { $page }/{ $pages }
    }.
    Выберите материал: он придёт уже с вашей ссылкой, готовый к пересылке.
mat-item = { $icon } { $title }
mat-btn-promo = 🎟 Мой промокод
mat-banner-caption =
    { $title }
    { $url }{ $has_promo ->
        [yes] {"\u000A"}Промокод: { $promo }
       *[no] {""}
    }
mat-text-filled = { $text }
mat-landing-ready =
    🌐 { $title }
    Ваша ссылка на эту страницу: { $url }
mat-ready =
    ⬆️ Перешлите сообщение выше как есть: { $kind ->
        [banner] в баннере ваша ссылка
        [text] в тексте ваша ссылка
       *[landing] ссылка ведёт на эту страницу
    }, и каждый переход засчитается вам.
    Ссылка: { $url }{ $has_promo ->
        [yes] {"\u000A"}Промокод: { $promo }
       *[no] {""}
    }
    Площадка: { $placement }
    Для отдельного канала, поста или видео возьмите ссылку для площадки — её переходы считаются отдельно.
mat-btn-qr = 🔳 Баннер с моим QR-кодом
mat-btn-placement = 📍 Ссылка для площадки…
mat-qr-caption =
    { $title }
    { $url }
mat-ask-placement =
    Назовите площадку, например tg_channel или vk_post_42 (латиница, цифры, _ - ., до 32 символов). Это станет sub-id ссылки.
    { $has_current ->
        [yes] Сейчас: { $current }
       *[no] {""}
    }
mat-err-placement = Только латинские буквы, цифры и _ - ., до 32 символов, например tg_channel.
mat-new-notice =
    🆕 { $kind ->
        [banner] Новый баннер
        [text] Новый промо-текст
       *[landing] Новый лендинг
    } для «{ $offer }»: { $title }
mat-btn-open = 👀 Открыть

## Материалы: менеджеры
admin-btn-materials = 🖼 Материалы
mat-admin-offers = 🖼 Материалы: выберите оффер (в скобках — черновики и опубликованные).{ $pages ->
        [1] {""}
       *[other] {" "}Страница { $page }/{ $pages }.
    }
mat-admin-list =
    🖼 { $offer }: материалов — { $count }{ $pages ->
        [1] {""}
       *[other] , страница { $page }/{ $pages }
    }.
mat-admin-item = { $status ->
        [draft] ✏️
        [published] ✅
       *[archived] 🗄
    } { $icon } { $title }
mat-btn-add = ➕ Добавить
mat-btn-codes = 🎟 Промокоды
mat-admin-add = Какой материал добавить?
mat-kind-banner = 🖼 Баннер (картинка)
mat-kind-text = 📝 Промо-текст
mat-kind-landing = 🌐 Лендинг
mat-ask-banner = Пришлите баннер фотографией или файлом-картинкой (JPEG, PNG или WebP). Подпись к нему станет названием.
mat-ask-title = { $step }/{ $steps }. Название, которое партнёры увидят в списке (2–128 символов):
mat-ask-text =
    { $step }/{ $steps }. Промо-текст. Поставьте {"{"}link{"}"} там, где будет ссылка партнёра, и, если нужно, {"{"}promo{"}"} там, где его промокод, например:
    Скидка 10% по коду {"{"}promo{"}"}: {"{"}link{"}"}
mat-ask-landing = { $step }/{ $steps }. Адрес лендинга (https://…): переходы по ссылкам партнёров будут вести туда.
mat-admin-card =
    { $kind ->
        [banner] 🖼 Баннер
        [text] 📝 Промо-текст
       *[landing] 🌐 Лендинг
    } #{ $id }: { $title }
    Статус: { $status ->
        [draft] черновик — партнёры его пока не видят
        [published] опубликован
       *[archived] в архиве
    }{ $kind ->
        [banner] {"\u000A"}{ $width }×{ $height } { $format }, { $kb } КБ
       *[other] {"\u000A"}{ $body }
    }
mat-btn-publish = ✅ Опубликовать
mat-btn-archive = 🗄 В архив
mat-published = Опубликовано; уведомлено партнёров: { $count }
mat-not-draft = Уже опубликован или в архиве
mat-archived = Перенесён в архив
mat-already = Уже в архиве
mat-err-image = Это не подходит как баннер: пришлите JPEG, PNG или WebP не меньше 100×100 пикселей и не больше { $max_mb } МБ.
mat-err-photo = Пришлите баннер фотографией или файлом-картинкой.
mat-err-download = Не удалось скачать файл — пришлите его ещё раз.
mat-err-placeholder = В фигурных скобках может стоять только {"{"}link{"}"} и {"{"}promo{"}"} (найдено: { $name }).
mat-err-no-link = В тексте нужен {"{"}link{"}"} — место для ссылки партнёра.

## Промокоды
promo-yours =
    🎟 Ваш промокод для «{ $offer }»: { $code }
    Покупатель, который введёт его при оформлении, засчитается вам — даже без перехода по ссылке.
promo-admin-list =
    🎟 Промокоды «{ $offer }»: активных — { $count }{ $pages ->
        [1] {""}
       *[other] , страница { $page }/{ $pages }
    }.
promo-admin-item = { $code } · { $name }
promo-btn-set = ✍️ Назначить код
promo-admin-card =
    🎟 { $code } ({ $status ->
        [active] действует
       *[revoked] отозван
    })
    Партнёр: { $partner } (#{ $partner_id })
    Оффер: { $offer }
    Выдан: { $source ->
        [approval] при одобрении
        [request] по запросу партнёра
       *[manager] менеджером
    }
promo-btn-revoke = ❌ Отозвать
promo-revoked = Код { $code } отозван, партнёр уведомлён
promo-already-revoked = Код { $code } уже отозван
promo-ask-partner = { $step }/{ $steps }. Какому партнёру? Пришлите его номер (#12) или реферальный код.
promo-ask-code = { $step }/{ $steps }. Код (4–16 латинских букв и цифр, например IVAN25):
promo-err-partner = Пришлите номер партнёра, например #12, или его реферальный код.
promo-err-format = Код — это { $min }–{ $max } латинских букв и цифр, например IVAN25.
promo-reuse-ask = Код { $code } был отозван у партнёра #{ $holder_id } { $holder }. Всё равно выдать его партнёру #{ $partner_id }? Продажи по нему будут засчитываться новому владельцу.
promo-btn-reuse = ♻️ Да, выдать
promo-set-set = ✅ У партнёра #{ $partner_id } теперь код { $code }; он уведомлён.
promo-set-unchanged = У партнёра #{ $partner_id } уже есть код { $code }.
promo-set-taken = Код { $code } принадлежит партнёру #{ $holder_id } { $holder } — сначала отзовите его там или выберите другой.
promo-set-revoked-elsewhere = Код { $code } был отозван у партнёра #{ $holder_id } { $holder }.
promo-set-no-partner = Нет одобренного партнёра с таким номером или кодом.
promo-set-no-offer = Этого оффера больше нет.
promo-set-notice = 🎟 Ваш промокод для «{ $offer }» теперь { $code }.
promo-revoked-notice = 🎟 Ваш промокод { $code } для «{ $offer }» больше не действует. Новый можно получить в разделе «Материалы».
