## Conversion notifications (services/tracking/commissions.py)
conv-notify =
    { $status ->
        [pending] ⏳ New conversion #{ $id } — waiting for the advertiser's confirmation
        [approved] ✅ Conversion #{ $id } approved
        [rejected] ❌ Conversion #{ $id } rejected
       *[refunded] ↩️ Conversion #{ $id } refunded
    }
    Offer: { $offer }
    Sub-id: { $sub1 }
    { $payable ->
        [no] { $why ->
            [attribution_window] Commission: not paid — the sale came after the attribution window had ended.
           *[other] Commission: not paid for this conversion.
        }
       *[yes] { $status ->
            [pending] { $known ->
                [no] Commission: calculated once the sale is confirmed.
               *[yes] Commission: { $amount } once confirmed.
            }
            [approved] Commission: +{ $amount } — on hold until the hold period ends.
            [rejected] Commission: { $amount } — not credited.
           *[refunded] Commission: −{ $amount } — written off.
        }
    }
    💰 Balance: { $available } available · { $hold } on hold
    { $reason_kind ->
        [advertiser] Reason: { $reason }
        [review] Reason: the conversion did not pass our quality check.
       *[none] {""}
    }
conv-notify-l2 =
    { $status ->
        [approved] 🤝 One of your sub-partners made a sale (conversion #{ $id })!
       *[other] ↩️ A sale of one of your sub-partners was cancelled (conversion #{ $id }).
    }
    Offer: { $offer }
    { $status ->
        [approved] Second-level commission: +{ $amount } — on hold until the hold period ends.
       *[other] Second-level commission: −{ $amount } — written off.
    }
    💰 Balance: { $available } available · { $hold } on hold
conv-btn-dispute = ⚖️ Dispute
hold-released = 💸 { $amount } left the hold and is now available. Available balance: { $available }.
burst-summary =
    📈 { $count } conversion updates in the last { $minutes } min
    Earned: { $totals }
    ✅ { $approved } approved · ⏳ { $pending } pending · ❌ { $rejected } rejected · ↩️ { $refunded } refunded
    Latest:
    { $latest }
burst-btn-stats = 📊 Stats
