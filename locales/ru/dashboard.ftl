## Веб-дашборд: сторона бота
cmd-dashboard = статистика в браузере
dash-link =
    📊 Ваш личный дашборд: графики, таблицы по ссылкам и sub-id, выгрузка в CSV.

    { $url }

    Ссылка сработает один раз и действует { $minutes } минут — не передавайте её никому. Нужна новая? Отправьте /dashboard.
dash-open = 📊 Открыть дашборд
dash-menu-button = Дашборд

## Веб-дашборд: страница (ключи dash-web-* уходят на страницу целиком)
dash-web-title = Кабинет партнёра
dash-web-loading = Загрузка…
dash-web-error = Не удалось загрузить цифры. Проверьте соединение и попробуйте ещё раз.
dash-web-retry = Повторить
dash-web-auth-title = Откройте дашборд из бота
dash-web-auth-text = Ваши цифры видны только вам. В Telegram нажмите кнопку «Дашборд» рядом с полем ввода; в Telegram или VK можно также отправить боту /dashboard и открыть присланную ссылку.
dash-web-approved-title = Пока недоступно
dash-web-approved-text = Дашборд откроется, когда вашу заявку партнёра одобрят. Мы сообщим об этом в боте.
dash-web-continue-title = Открываем дашборд…
dash-web-continue = Открыть дашборд
dash-web-link-dead-title = Ссылка устарела или уже использована
dash-web-link-dead-text = Ссылка для входа работает один раз и 15 минут. Отправьте боту /dashboard, чтобы получить новую.
dash-web-tz = Часовой пояс
dash-web-p-today = Сегодня
dash-web-p-yesterday = Вчера
dash-web-p-7d = 7 дней
dash-web-p-30d = 30 дней
dash-web-p-month = Этот месяц
dash-web-p-lastmonth = Прошлый месяц
dash-web-p-all = Всё время
dash-web-clicks = Клики
dash-web-unique = Уникальные клики
dash-web-conversions = Конверсии
dash-web-cr = CR
dash-web-epc = EPC
dash-web-earnings = Заработок
dash-web-l2 = Второй уровень
dash-web-approved = Одобрено
dash-web-pending = В ожидании
dash-web-rejected = Отклонено
dash-web-refunded = Возврат
dash-web-balance = Баланс
dash-web-contests = Конкурсы
dash-web-contest-place = Ваше место
dash-web-contest-gap = до следующего места
dash-web-on-hold = На холде
dash-web-available = Доступно
dash-web-paid-out = Выплачено
dash-web-chart = По дням
dash-web-breakdown = Разбивка
dash-web-g-day = Дни
dash-web-g-link = Ссылки
dash-web-g-offer = Офферы
dash-web-g-sub = Sub-ID
dash-web-col-name = Название
dash-web-col-unique = Уник.
dash-web-col-conv = Конв.
dash-web-earnings-hint = Одобренные и ожидающие конверсии
dash-web-col-day = День
dash-web-empty = За этот период пока ничего нет.
dash-web-csv = CSV
dash-web-csv-hint = Скачать таблицу в CSV
