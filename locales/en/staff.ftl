## /admin → Staff (admins only)
admin-btn-staff = 👥 Staff
staff-list =
    👥 Staff: { $count }
    { $people }

    Roles from env are revoked at start when their id leaves ADMIN_IDS / MANAGER_IDS / SUPPORT_IDS (VK_…); roles granted here stay until revoked here.
staff-btn-revoke = ❌ { $role } · { $who }
staff-btn-grant = ➕ Grant a role
staff-btn-audit = 📜 Audit trail
staff-btn-confirm = ✅ Confirm
staff-messenger-telegram = Telegram
staff-messenger-vk = VK
staff-role-admin = admin — everything, staff too
staff-role-manager = manager — applications, offers, FAQ
staff-role-support = support — tickets
staff-ask-messenger = { $step }/{ $steps }. Grant a role — in which messenger is the person's account?
staff-ask-user = { $step }/{ $steps }. Their numeric user id in { $messenger } (Telegram: ask them to open @userinfobot; VK: the number in their profile link id…):
staff-ask-role = { $step }/{ $steps }. Which role for { $messenger }:{ $user }?
staff-ask-confirm = { $step }/{ $steps }. Grant the role { $role } to { $messenger }:{ $user }?
staff-err-user-id = A user id is a positive number, e.g. 123456789.
staff-granted = ✅ { $who } is now { $role }.
staff-already = { $who } already holds the role { $role }; nothing changed.
staff-revoke-ask = Revoke the role { $role } from { $who } (granted via { $source })? It takes effect at once.
staff-revoked = Role { $role } revoked from { $who }.
staff-revoked-env = Revoked. { $who } is still in env: remove it there or { $role } returns at restart.
staff-err-last-admin = You can't revoke your own last admin role.
staff-audit =
    📜 Latest staff changes (who · what · whom):
    { $items }

## A staff member never decides on their own partner account
err-own-application = You can't decide on your own application.
err-own-conversion = You can't review your own conversion.
sup-err-own-ticket = Ticket #{ $id } is your own: another team member has to answer it.
