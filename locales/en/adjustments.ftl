admin-btn-adjustments = ✏️ Balance adjustments
adj-home =
    ✏️ Balance adjustments: a credit or debit with a reason, written to the ledger and told to the partner.
    Waiting for an admin: { $pending }
    Latest:
    { $items }
adj-btn-new = ➕ New adjustment
adj-btn-pending = ⏳ Waiting for approval ({ $count })
adj-btn-limits = 🔒 Limits
adj-btn-set-limit = Set a limit
adj-btn-confirm = ✅ Confirm
adj-btn-approve = ✅ Approve
adj-btn-reject = ❌ Reject
adj-ask-partner = Step 1: whose balance? Send the partner's number, e.g. 12 or #12.
adj-ask-amount =
    Partner: { $partner }. Available: { $balance }.
    Step 2: the amount — +500 to credit, -200 to debit; add a currency if it is not the default (-20 USD).
adj-ask-reason = Step 3: the reason (3–500 characters). The partner sees it.
adj-ask-limit = The largest adjustment a manager may apply alone, with its currency, e.g. 5000 RUB. 0 = every one needs an admin.
adj-err-partner = That is not a partner number: send digits, e.g. 12.
adj-err-no-partner = There is no partner #{ $id }.
adj-err-amount = That is not an amount: e.g. +500, -200 USD (at most 2 decimals, at most 10 000 000).
adj-confirm =
    Please check and confirm:
    Partner: { $partner }
    Change: { $amount }
    Reason: { $reason }
    Available now: { $before } → after: { $after }
    { $approval ->
        [yes] This is over your limit: an admin will have to approve it.
       *[no] It is applied as soon as you confirm.
    }
adj-result =
    Adjustment #{ $id }: { $amount } for partner #{ $partner_id }
    Reason: { $reason }
    { $outcome ->
        [applied] ✅ Applied: the partner's balance changed and they were told.
        [pending] ⏳ Sent to the admins for approval.
        [rejected] ❌ Rejected.
       *[cancelled] Cancelled: nothing changed.
    }
adj-outcome-already_decided = Already decided ({ $who })
adj-outcome-not_found = This adjustment no longer exists
adj-outcome-own = You cannot adjust your own balance or decide your own request
adj-outcome-no_partner = There is no such partner
adj-outcome-pending = Sent for approval
adj-none-pending = Nothing is waiting for approval
adj-approval =
    ⏳ Adjustment #{ $id } needs your approval
    Partner #{ $partner_id }: { $amount }
    Reason: { $reason }
    Asked by { $requested_by }, { $created }
adj-decided =
    Adjustment #{ $id } ({ $amount } for partner #{ $partner_id }): { $status ->
        [applied] approved and applied
       *[rejected] rejected
    } by { $who }.
adj-limits =
    🔒 What a manager may adjust alone, per currency (admins are not limited; other currencies always need an admin):
    { $items }
adj-partner-credit =
    💰 Your balance was credited with { $amount }.
    Reason: { $reason }
adj-partner-debit =
    Your balance was debited by { $amount }.
    Reason: { $reason }
