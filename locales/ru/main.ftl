## Выбор языка
lang-ru = { $mark }🇷🇺 Русский
lang-en = { $mark }🇬🇧 English

## Общие кнопки
btn-back = ◀️ Назад
btn-cancel = ✖️ Отмена
btn-accept-terms = ✅ Принимаю условия
btn-approve = ✅ Одобрить
btn-reject = ❌ Отклонить

## Регистрация
ob-welcome =
    👋 Добро пожаловать в партнёрскую программу!
    Продвигайте наши офферы, получайте комиссию с каждой продажи и следите за всем прямо здесь.

    Выберите язык:
ob-language-set = 🌐 Язык сохранён. Заполним короткую анкету — пять быстрых вопросов.
ob-ask-name =
    1/5. Как вас зовут? (2–64 символа)
    { $has_previous ->
        [yes] Текущий ответ: { $previous }
       *[no] {""}
    }
ob-ask-email =
    2/5. Ваш e-mail для связи, например name@example.com
    { $has_previous ->
        [yes] Текущий ответ: { $previous }
       *[no] {""}
    }
ob-ask-sources =
    3/5. Где вы будете нас продвигать? Пришлите ссылки на сайты или каналы (https://…, t.me/…, vk.com/… или @канал) через пробел или с новой строки.
    { $has_previous ->
        [yes] Текущий ответ: { $previous }
       *[no] {""}
    }
ob-ask-audience =
    4/5. Какой у вас размер аудитории? Пришлите число, например 15000 или 15к.
    { $has_previous ->
        [yes] Текущий ответ: { $previous }
       *[no] {""}
    }
ob-ask-terms =
    5/5. Условия программы:
    • Комиссия начисляется за подтверждённые конверсии после холда 30 дней.
    • Запрещены спам, брендовый контекст, cookie stuffing, мотивированный и фродовый трафик.
    • За фрод — блокировка и отмена невыплаченной комиссии.
    • Мы можем менять условия и сообщим об этом в этом чате.
    Вы принимаете условия?
ob-use-buttons = Пожалуйста, воспользуйтесь кнопками ниже.
ob-cancelled = Анкета отменена. Отправьте /start, когда захотите начать заново.
ob-resume = Продолжим с того места, где вы остановились.
ob-submitted =
    📨 Заявка №{ $id } отправлена! Менеджер скоро её рассмотрит — мы напишем вам здесь.
    Есть вопросы? Пишите в /support.
ob-approved =
    🎉 { $name }, ваша заявка одобрена — добро пожаловать!
    Всё в меню ниже: ссылки, статистика, материалы, баланс и поддержка.
ob-rejected =
    😔 К сожалению, ваша заявка отклонена.
    Причина: { reject-reason }
    Если считаете это ошибкой, напишите в /support.
ob-status-applied = ⏳ Ваша заявка на рассмотрении. Напишем, как только менеджер примет решение.
ob-status-rejected =
    Ваша заявка отклонена. Причина: { reject-reason }
    Если считаете это ошибкой, напишите в /support.
ob-status-blocked = ⛔ Ваш партнёрский аккаунт заблокирован. Если есть вопросы, напишите в /support.

## Ошибки и повторные вопросы
err-text-expected = ✍️ Пожалуйста, пришлите ответ текстом.
err-too-short = Слишком коротко: нужно хотя бы { $min } символа.
err-too-long = Слишком длинно: { $length } символов при лимите { $max }. Сократите, пожалуйста.
ob-err-name = В имени должны быть буквы. Пришлите, пожалуйста, ваше имя.
ob-err-email = Это не похоже на e-mail. Пришлите адрес вида name@example.com.
ob-err-sources = Не получилось распознать как ссылки или каналы: { $bad }. Пришлите URL (https://…), t.me/…, vk.com/… или @канал.
ob-err-sources-count = Пришлите не больше { $max } источников — самые основные.
ob-err-audience = Пришлите размер аудитории целым числом, например 15000, 15 000 или 15к.
err-not-allowed = ⛔ У вас нет прав на это действие.
err-stale-button = Эта кнопка устарела.
err-start-first = Сначала отправьте /start.
err-unknown-command = Неизвестная команда. Список команд — /help.
err-not-understood = Не понял вас. Воспользуйтесь меню ниже или /help.
err-approved-only = Этот раздел откроется после одобрения заявки.
cancelled = Отменено.
cancel-nothing = Отменять нечего.

## Менеджерам
reject-reason-traffic = источники трафика не подходят программе
reject-reason-incomplete = анкета неполная или источники не удалось проверить
reject-reason-duplicate = повторный аккаунт
reject-reason-geo = аудитория вне регионов программы
reject-reason =
    { $preset ->
        [traffic] { reject-reason-traffic }
        [incomplete] { reject-reason-incomplete }
        [duplicate] { reject-reason-duplicate }
        [geo] { reject-reason-geo }
       *[none] { $reason }
    }
mgr-application-card =
    📝 Заявка №{ $id } (партнёр №{ $partner })
    Имя: { $name }
    E-mail: { $email }
    Источники:
    { $sources }
    Аудитория: { $audience }
    Аккаунты: { $contacts }
    Язык: { $locale }
    Пригласил: { $parent }
    { $decision ->
        [approved] ✅ Одобрил(а) { $who }
        [rejected] ❌ Отклонил(а) { $who }: { reject-reason }
       *[pending] ⏳ Ждёт решения
    }
mgr-reject-ask = Почему отклоняем заявку №{ $id }? Выберите причину или напишите свою.
mgr-decision-saved = Решение сохранено.
mgr-already-decided = Уже решено: { $who }.
staff-hello = 👋 Здравствуйте! Вы в команде: новые заявки будут приходить в этот чат. Команды — /help.

## Рефералы
ref-new-subpartner = 🤝 По вашей ссылке присоединился новый субпартнёр: { $name }. С его продаж вы получите комиссию второго уровня.

## Главное меню
menu-title = Главное меню
menu-links = 🔗 Ссылки
menu-stats = 📊 Статистика
menu-materials = 🖼 Материалы
menu-contests = 🏆 Конкурсы
menu-balance = 💰 Баланс
menu-faq = ❓ FAQ
menu-support = 💬 Поддержка
menu-settings = ⚙️ Настройки
section-soon = Этот раздел готовится и скоро откроется.

## Настройки
settings-title =
    ⚙️ Настройки
    Язык: { $language ->
        [ru] Русский
       *[en] English
    }
    Часовой пояс: { $timezone }
    Тихие часы: { $quiet ->
        [none] выключены
       *[other] { $quiet }
    }
    Партнёр месяца: { $announce ->
        [yes] можно называть моё имя
       *[no] показывать как «Партнёр №id»
    }
settings-btn-language = 🌐 Язык
settings-btn-timezone = 🕒 Часовой пояс
settings-choose-language = Выберите язык:
settings-language-saved = 🌐 Язык переключён на русский.
settings-saved = Сохранено
settings-choose-timezone = Выберите часовой пояс (по нему строятся статистика и отчёты):
tz-label = { $zone }

## Команды
help =
    Команды:
    /start — { cmd-start }
    /link — { cmd-link }
    /stats — { cmd-stats }
    /dashboard — { cmd-dashboard }
    /faq — { cmd-faq }
    /contest — { cmd-contest }
    /support — { cmd-support }
    /help — { cmd-help }
    /language — { cmd-language }
    /cancel — { cmd-cancel }
cmd-start = начать или показать главное меню
cmd-help = список команд
cmd-language = сменить язык
cmd-cancel = отменить текущее действие

## Привязка аккаунтов
settings-btn-link-account = 🔗 Привязать Telegram / VK
acc-link-code =
    🔗 Чтобы получать сообщения и во втором мессенджере, откройте там эту ссылку в течение { $minutes } минут:
    { $links }
    Или отправьте боту там этот код: { $code }
acc-linked = ✅ Готово! Этот аккаунт { $messenger ->
        [telegram] Telegram
       *[vk] ВКонтакте
    } привязан к вашему партнёрскому профилю, уведомления будут приходить и сюда.
acc-link-invalid = Код неверный или истёк. Получите новый в Настройках → Привязать Telegram / VK.
acc-link-already = Этот аккаунт уже зарегистрирован. Код привязывает новый аккаунт мессенджера к профилю партнёра.
acc-link-same-messenger = К вашему профилю уже привязан аккаунт в этом мессенджере.

## Баланс и уровни
balance =
    💰 Баланс (доступно · в холде{ $reserved ->
        [none] {""}
       *[other] {" "}· ⏳ в выплате
    }):
    { $balances }

    Последние движения:
    { $movements }

    Уровень: { $tier } · подтверждённые продажи за 30 дней: { $revenue }
    { $next ->
        [none] У вас максимальный уровень. 🏆
       *[other] До уровня { $next } осталось { $missing }.
    }
tier-changed = 🏅 Ваш уровень изменился: { $old } → { $new }. Ревшара теперь { $percent } %.
