## Выплаты: реквизиты
pay-method-name =
    { $method ->
        [card] Банковская карта
        [account] Банковский счёт
        [crypto] Криптокошелёк
       *[ewallet] Электронный кошелёк
    }
pay-btn-details = 💳 Реквизиты для выплат
pay-btn-method-card = 💳 Банковская карта
pay-btn-method-account = 🏦 Банковский счёт (IBAN)
pay-btn-method-crypto = 🪙 Криптокошелёк
pay-btn-method-ewallet = 👛 Электронный кошелёк
pay-details =
    💳 Реквизиты для выплат
    { $has ->
        [yes] Сохранены: { pay-method-name } { $masked }
       *[no] Пока не указаны.
    }
    Реквизиты хранятся в зашифрованном виде и всегда показываются скрытыми. Выберите способ, чтобы добавить или заменить их:
pay-ask-card = Пришлите номер карты (13–19 цифр, можно с пробелами).
pay-ask-account = Пришлите IBAN, например DE89 3704 0044 0532 0130 00.
pay-ask-crypto = Пришлите адрес кошелька: Bitcoin (1…, 3…, bc1…), Ethereum / ERC-20 (0x…) или TRON / TRC-20 (T…). Проверьте дважды: криптоплатёж нельзя вернуть.
pay-ask-ewallet = Пришлите кошелёк: ЮMoney (4100…), WebMoney (буква и 12 цифр, например Z123456789012) или e-mail аккаунта PayPal, Payoneer или Wise.
pay-err-card =
    { $problem ->
        [checksum] В номере карты опечатка: не сходится контрольная цифра. Проверьте его.
       *[format] Номер карты — это 13–19 цифр. Пришлите его ещё раз.
    }
pay-err-account =
    { $problem ->
        [checksum] В IBAN опечатка: не сходятся контрольные цифры. Проверьте его.
       *[format] Это не похоже на IBAN (две буквы, две цифры, затем до 30 букв и цифр).
    }
pay-err-crypto = Это не адрес Bitcoin, Ethereum или TRON, либо не сходится его контрольная сумма (опечатка?).
pay-err-ewallet = Не удалось распознать кошелёк: ЮMoney 4100…, WebMoney Z123456789012 или адрес e-mail.
pay-details-saved = ✅ Реквизиты сохранены: { pay-method-name } { $masked }.
pay-remind-details = 💳 Сегодня день выплат, и у вас доступно { $amount }, но реквизиты не указаны. Добавьте их, чтобы получить деньги:

## Выплаты: заявки
pay-btn-request = 📤 Запросить выплату
pay-btn-history = 🧾 История выплат
pay-btn-all = Всё доступное
pay-need-details = Чтобы получить выплату, сначала укажите реквизиты.
pay-negative = ⏸ Баланс отрицательный: { $currencies } (возврат пришёл после прошлой выплаты). Выплаты подождут, пока новые комиссии его не покроют.
pay-nothing =
    Пока нечего выплачивать.
    Доступно: { $available }
    Минимальная выплата: { $minimums }
pay-choose-currency = В какой валюте вывести деньги?
pay-currency = { $amount }
pay-ask-amount =
    Сколько вывести? Доступно: { $available }, минимум { $minimum }.
    Выплата на { $masked }. Пришлите сумму или выведите всё.
pay-requested = 📤 Заявка на выплату #{ $id } на { $amount } на { $masked } отправлена. Деньги зарезервированы; когда менеджер проведёт выплату, придёт сообщение.
pay-refused =
    { $outcome ->
        [no_details] Сначала укажите реквизиты для выплат.
        [negative_balance] Баланс отрицательный; выплаты подождут, пока новые комиссии его не покроют.
        [below_minimum] Минимальная выплата — { $minimum }.
        [insufficient] Доступно только { $available }.
       *[other] Сейчас запросить выплату нельзя.
    }
pay-notify =
    { $status ->
        [requested] 📤 Плановая выплата #{ $id }: для вас создана заявка на { $amount } на { $masked }. Деньги зарезервированы; менеджер скоро проведёт выплату.
        [approved] ✅ Выплата #{ $id } ({ $amount }) одобрена и отправляется на { $masked }.
        [paid] 💸 Выплата #{ $id }: { $amount } отправлено на { $masked }. Номер платежа: { $reference }
       *[rejected] ❌ Выплата #{ $id } ({ $amount }) отклонена: { $reason }. Деньги вернулись в доступный баланс.
    }
pay-history =
    🧾 Выплаты (⏳ запрошена · ✅ одобрена · 💸 выплачена · ❌ отклонена):
    { $items }

## Выплаты: менеджеры
admin-btn-payouts = 💸 Выплаты
pam-btn-open = Открыть
pam-btn-approve = ✅ Одобрить
pam-btn-paid = 💸 Выплачено
pam-btn-reject = ❌ Отклонить
pam-item = #{ $id } · { $amount }
pam-queue =
    💸 Выплат в очереди: { $count } (сначала старые)
    { $items }
pam-status =
    { $status ->
        [requested] ⏳ запрошена
        [approved] ✅ одобрена, ждёт оплаты
        [paid] 💸 выплачена
       *[rejected] ❌ отклонена
    }
pam-card =
    💸 Выплата #{ $id }: { $amount } · { pam-status }
    Партнёр: { $partner } (#{ $partner_id }), уровень { $tier }
    Куда: { pay-method-name } { $masked }
    Запрошена: { $created } ({ $source ->
        [schedule] по расписанию
       *[partner] партнёром
    })
    Баланс (доступно · в холде): { $balances }
    Фрод-флаги за 30 дней: { $flags }
    Выплачено раньше: { $paid_before }
    { $status ->
        [paid] Выплатил { $who }, номер платежа: { $reference }
        [rejected] Отклонил { $who }: { $reason }
        [approved] Одобрил { $who }
       *[requested] {""}
    }
pam-new = 💸 Новая заявка на выплату #{ $id }: { $amount } для { $partner } (#{ $partner_id }) на { pay-method-name } { $masked }.
pam-ask-reference = Выплата #{ $id }: пришлите номер платежа (транзакции или поручения).
pam-ask-reason = Выплата #{ $id }: почему она отклонена? Партнёр увидит этот текст.
pam-done =
    { $outcome ->
        [approved] Одобрено
        [paid] Отмечено как выплаченное
        [rejected] Отклонено; деньги вернулись на баланс партнёра
        [already_decided] Уже решил { $who }
        [illegal] В текущем состоянии это невозможно
        [own] Это ваша собственная выплата: решение примет другой менеджер
       *[not_found] Выплата не найдена
    }
pam-scheduled = 💸 Плановые выплаты ({ $period } UTC): в очереди { $count } новых заявок.
