## /admin → Сотрудники (только админы)
admin-btn-staff = 👥 Сотрудники
staff-list =
    👥 Сотрудников: { $count }
    { $people }

    Роли из env снимаются при запуске, когда id убрали из ADMIN_IDS / MANAGER_IDS / SUPPORT_IDS (VK_…); роли, выданные здесь, остаются, пока их не снимут здесь.
staff-btn-revoke = ❌ { $role } · { $who }
staff-btn-grant = ➕ Выдать роль
staff-btn-audit = 📜 Журнал изменений
staff-btn-confirm = ✅ Подтвердить
staff-messenger-telegram = Telegram
staff-messenger-vk = ВКонтакте
staff-role-admin = admin — всё, включая сотрудников
staff-role-manager = manager — заявки, офферы, FAQ
staff-role-support = support — обращения
staff-ask-messenger = { $step }/{ $steps }. Выдать роль — в каком мессенджере аккаунт человека?
staff-ask-user = { $step }/{ $steps }. Его числовой id в { $messenger } (Telegram: пусть откроет @userinfobot; VK: число в ссылке профиля id…):
staff-ask-role = { $step }/{ $steps }. Какую роль дать { $messenger }:{ $user }?
staff-ask-confirm = { $step }/{ $steps }. Выдать роль { $role } пользователю { $messenger }:{ $user }?
staff-err-user-id = Id пользователя — положительное число, например 123456789.
staff-granted = ✅ { $who } теперь { $role }.
staff-already = У { $who } уже есть роль { $role }; ничего не изменилось.
staff-revoke-ask = Снять роль { $role } с { $who } (выдана через { $source })? Подействует сразу.
staff-revoked = Роль { $role } снята с { $who }.
staff-revoked-env = Снято. { $who } ещё есть в env: уберите оттуда, иначе { $role } вернётся при запуске.
staff-err-last-admin = Нельзя снять с себя последнюю роль админа.
staff-audit =
    📜 Последние изменения (кто · что · кому):
    { $items }

## Сотрудник не решает по своему партнёрскому аккаунту
err-own-application = Нельзя решать по своей собственной заявке.
err-own-conversion = Нельзя проверять свою собственную конверсию.
sup-err-own-ticket = Обращение №{ $id } — ваше собственное: ответить должен другой сотрудник.
