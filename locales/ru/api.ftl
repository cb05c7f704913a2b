## /admin → API-токены (только админы): bearer-токены для REST API только на чтение (/api/v1)
admin-btn-api = 🔑 API-токены
api-list =
    🔑 API-токены: { $count }
    { $tokens }

    #id имя · права · состояние · ⏳ истекает · 👁 последнее использование. Токен показывается один раз, при создании; хранится только его хеш.
api-btn-new = ➕ Новый токен
api-btn-audit = 📜 Журнал
api-btn-list = 🔑 API-токены
api-btn-revoke = ❌ #{ $id } { $name }
api-btn-confirm = ✅ Отозвать
api-ask-name = { $step }/{ $steps }. Название нового токена (для чего он, например «Metabase»), 2–64 символа:
api-ask-scopes = { $step }/{ $steps }. Что может читать «{ $name }»? Выберите или напишите несколько через запятую (stats, conversions, payouts, partners, kpis):
api-scope-all = Всё
api-scope-stats = stats:read — статистика
api-scope-conversions = conversions:read — конверсии
api-scope-payouts = payouts:read — выплаты
api-scope-partners = partners:read — партнёры
api-scope-kpis = kpis:read — KPI
api-ask-expiry = { $step }/{ $steps }. Сколько будет действовать «{ $name }»? Выберите или напишите число дней или дату (ГГГГ-ММ-ДД):
api-exp-30 = 30 дней
api-exp-90 = 90 дней
api-exp-365 = Год
api-exp-never = Пока не отзовут
api-err-scope = Неизвестное право «{ $scope }». Есть: { $scopes } (или all).
api-err-expiry = Напишите число дней (1–{ $max }), дату вида 2027-01-31 или never.
api-created =
    ✅ Токен #{ $id } «{ $name }» ({ $scopes }), действует до { $expires }:

    { $token }

    Скопируйте его сейчас: он показывается только один раз (хранится лишь хеш). Передавайте его как «Authorization: Bearer <токен>»; сохранив, удалите это сообщение.
api-revoke-ask = Отозвать токен #{ $id } «{ $name }» ({ $scopes })? Запросы с ним сразу получат 401.
api-revoked = Токен #{ $id } «{ $name }» отозван.
api-audit =
    📜 Последние изменения токенов (когда · кто · что):
    { $items }
