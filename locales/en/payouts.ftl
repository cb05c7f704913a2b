## Payouts: details
pay-method-name =
    { $method ->
        [card] Bank card
        [account] Bank account
        [crypto] Crypto wallet
       *[ewallet] E-wallet
    }
pay-btn-details = 💳 Payout details
pay-btn-method-card = 💳 Bank card
pay-btn-method-account = 🏦 Bank account (IBAN)
pay-btn-method-crypto = 🪙 Crypto wallet
pay-btn-method-ewallet = 👛 E-wallet
pay-details =
    💳 Payout details
    { $has ->
        [yes] On file: { pay-method-name } { $masked }
       *[no] Not set yet.
    }
    Details are stored encrypted and always shown masked. Choose a method to add or replace them:
pay-ask-card = Send the card number (13–19 digits, spaces are fine).
pay-ask-account = Send your IBAN, e.g. DE89 3704 0044 0532 0130 00.
pay-ask-crypto = Send the wallet address: Bitcoin (1…, 3…, bc1…), Ethereum / ERC-20 (0x…) or TRON / TRC-20 (T…). Check it twice: a crypto payment cannot be taken back.
pay-ask-ewallet = Send the wallet: YooMoney (4100…), WebMoney (a letter and 12 digits, e.g. Z123456789012) or the e-mail of your PayPal, Payoneer or Wise account.
pay-err-card =
    { $problem ->
        [checksum] This card number has a typo: its check digit does not match. Please check it.
       *[format] A card number is 13–19 digits. Please send it again.
    }
pay-err-account =
    { $problem ->
        [checksum] This IBAN has a typo: its check digits do not match. Please check it.
       *[format] That does not look like an IBAN (two letters, two digits, then up to 30 letters and digits).
    }
pay-err-crypto = That is not a valid Bitcoin, Ethereum or TRON address, or its checksum does not match (a typo?).
pay-err-ewallet = I could not recognise the wallet: YooMoney 4100…, WebMoney Z123456789012 or an e-mail address.
pay-details-saved = ✅ Payout details saved: { pay-method-name } { $masked }.
pay-remind-details = 💳 It is payout day and you have { $amount } available, but no payout details on file. Add them to get paid:

## Payouts: requests
pay-btn-request = 📤 Request payout
pay-btn-history = 🧾 Payout history
pay-btn-all = Everything available
pay-need-details = To get paid, add your payout details first.
pay-negative = ⏸ Your balance is negative: { $currencies } (a refund came after an earlier payout). Payouts wait until new commissions cover it.
pay-nothing =
    Nothing to pay out yet.
    Available: { $available }
    Minimum payout: { $minimums }
pay-choose-currency = Which currency do you want to withdraw?
pay-currency = { $amount }
pay-ask-amount =
    How much do you want to withdraw? Available: { $available }, minimum { $minimum }.
    Payout to { $masked }. Send an amount or take everything.
pay-requested = 📤 Payout request #{ $id } for { $amount } to { $masked } is sent. The money is reserved for it; you will get a message here when a manager pays it.
pay-refused =
    { $outcome ->
        [no_details] Add your payout details first.
        [negative_balance] Your balance is negative; payouts wait until new commissions cover it.
        [below_minimum] The minimum payout is { $minimum }.
        [insufficient] Only { $available } is available.
       *[other] A payout cannot be requested right now.
    }
pay-notify =
    { $status ->
        [requested] 📤 Scheduled payout #{ $id }: { $amount } to { $masked } is requested for you. The money is reserved; a manager will pay it soon.
        [approved] ✅ Payout #{ $id } ({ $amount }) is approved and being paid to { $masked }.
        [paid] 💸 Payout #{ $id }: { $amount } is paid to { $masked }. Reference: { $reference }
       *[rejected] ❌ Payout #{ $id } ({ $amount }) was declined: { $reason }. The money is back in your available balance.
    }
pay-history =
    🧾 Payouts (⏳ requested · ✅ approved · 💸 paid · ❌ declined):
    { $items }

## Payouts: managers
admin-btn-payouts = 💸 Payouts
pam-btn-open = Open
pam-btn-approve = ✅ Approve
pam-btn-paid = 💸 Mark paid
pam-btn-reject = ❌ Reject
pam-item = #{ $id } · { $amount }
pam-queue =
    💸 Payouts waiting: { $count } (oldest first)
    { $items }
pam-status =
    { $status ->
        [requested] ⏳ requested
        [approved] ✅ approved, waiting for payment
        [paid] 💸 paid
       *[rejected] ❌ declined
    }
pam-card =
    💸 Payout #{ $id }: { $amount } · { pam-status }
    Partner: { $partner } (#{ $partner_id }), tier { $tier }
    To: { pay-method-name } { $masked }
    Requested: { $created } ({ $source ->
        [schedule] by the schedule
       *[partner] by the partner
    })
    Balance (available · on hold): { $balances }
    Fraud flags in 30 days: { $flags }
    Paid before: { $paid_before }
    { $status ->
        [paid] Paid by { $who }, reference: { $reference }
        [rejected] Declined by { $who }: { $reason }
        [approved] Approved by { $who }
       *[requested] {""}
    }
pam-new = 💸 New payout request #{ $id }: { $amount } for { $partner } (#{ $partner_id }) to { pay-method-name } { $masked }.
pam-ask-reference = Payout #{ $id }: send the payment reference (transaction or order number).
pam-ask-reason = Payout #{ $id }: why is it declined? The partner will see this text.
pam-done =
    { $outcome ->
        [approved] Approved
        [paid] Marked paid
        [rejected] Declined; the money is back in the partner's balance
        [already_decided] Already decided by { $who }
        [illegal] Not possible in its current state
        [own] This is your own payout: another manager decides on it
       *[not_found] Payout not found
    }
pam-scheduled = 💸 Scheduled payouts ({ $period } UTC): { $count } new requests are waiting in the queue.
