admin-btn-bonuses = 🎯 Bonus plans
bon-home =
    🎯 Monthly bonus plans (calendar months, { $zone }). Each step is paid once per partner and month, held like a
    commission, and taken back if refunds drop the partner below it. ★ = every offer.
    🛒 approved conversions, 💵 approved sales.
    { $items }
bon-btn-new = ➕ New step
bon-btn-archive = 🗄 Archive #{ $id }
bon-ask-offer = Step 1 of 4: which offer counts? Send its number, or use every offer.
bon-ask-metric = Step 2 of 4: what is counted in the month?
bon-offer-all = ★ Every offer
bon-metric-conversions = Approved conversions
bon-metric-revenue = Approved revenue (sales)
bon-ask-threshold = Step 3 of 4: how many (conversions) or how much (revenue) reaches this step? E.g. 10 or 50000.
bon-ask-bonus = Step 4 of 4: the bonus, with its currency, e.g. 500 RUB. A revenue step counts sales in this currency.
bon-err-offer = Send the offer's number, e.g. 2, or press the button for every offer.
bon-err-no-offer = There is no offer #{ $id }.
bon-err-threshold = That is not a threshold: a whole number of conversions, or an amount from 1.
bon-err-amount = That is not a bonus: e.g. 500 RUB (at most 2 decimals).
bon-created = Step added
bon-archived = Archived: it pays no new bonuses; what it paid stays.
bonus-progress =
    🎯 Bonus plan, { $period }:
    { $lines }
    (🛒 approved conversions, 💵 approved sales; ✅ reached)
bonus-reached =
    🎯 You reached a bonus step for { $period }: { $metric ->
        [conversions] { $threshold } approved conversions
       *[revenue] { $threshold } of approved sales
    }. +{ $amount } is on hold for { $hold } days.
bonus-clawed =
    A refund took your { $period } figure down to { $figure }, below the { $threshold } step: its bonus of { $amount } was taken back.
