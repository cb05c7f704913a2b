## /admin → API tokens (admins only): bearer tokens for the read-only REST API (/api/v1)
admin-btn-api = 🔑 API tokens
api-list =
    🔑 API tokens: { $count }
    { $tokens }

    #id name · scopes · state · ⏳ expires · 👁 last used. A token is shown once, when it is created; only its hash is kept.
api-btn-new = ➕ New token
api-btn-audit = 📜 Audit trail
api-btn-list = 🔑 API tokens
api-btn-revoke = ❌ #{ $id } { $name }
api-btn-confirm = ✅ Revoke
api-ask-name = { $step }/{ $steps }. A name for the new token (what it is for, e.g. "Metabase"), 2–64 characters:
api-ask-scopes = { $step }/{ $steps }. What may "{ $name }" read? Choose, or type several separated by commas (stats, conversions, payouts, partners, kpis):
api-scope-all = Everything
api-scope-stats = stats:read — statistics
api-scope-conversions = conversions:read — conversions
api-scope-payouts = payouts:read — payouts
api-scope-partners = partners:read — partners
api-scope-kpis = kpis:read — KPIs
api-ask-expiry = { $step }/{ $steps }. How long should "{ $name }" work? Choose, or type a number of days or a date (YYYY-MM-DD):
api-exp-30 = 30 days
api-exp-90 = 90 days
api-exp-365 = A year
api-exp-never = Until revoked
api-err-scope = Unknown scope "{ $scope }". Known: { $scopes } (or "all").
api-err-expiry = Type a number of days (1–{ $max }), a date like 2027-01-31, or "never".
api-created =
    ✅ Token #{ $id } "{ $name }" ({ $scopes }), valid until { $expires }:

    { $token }

    Copy it now: it is shown only this once (only its hash is stored). Send it as "Authorization: Bearer <token>"; delete this message once it is saved.
api-revoke-ask = Revoke token #{ $id } "{ $name }" ({ $scopes })? Requests with it get 401 at once.
api-revoked = Token #{ $id } "{ $name }" revoked.
api-audit =
    📜 Latest token changes (when · who · what):
    { $items }
