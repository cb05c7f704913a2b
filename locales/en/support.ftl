cmd-support = write to a person from our team
sup-ask = 💬 Describe your question in one message — you can attach screenshots or documents. A person from our team will answer here.
sup-ask-dispute = ⚖️ Tell us why conversion #{ $conversion } should not have been rejected. Attach screenshots or documents if you have them.
sup-err-empty = Please send your question as text, a photo or a document.
sup-created = 📨 Ticket #{ $id } created. We usually answer within an hour; you'll get the answer in this chat. Anything you send here now is added to the ticket.
sup-already-open = Your ticket #{ $id } is still open — just write here and your messages go to it.
sup-forwarded = ✓ Added to ticket #{ $id }.
sup-answer =
    💬 Support, ticket #{ $id }:
    { $text }
sup-btn-close = ✅ Close the ticket
sup-btn-take = 🙋 Take
sup-closed = Ticket closed
sup-already-closed = This ticket is already closed.
sup-closed-rate = Ticket #{ $id } is closed. How did we do? Rate the help from 1 to 5.
sup-score = { $n ->
        [1] 1 😞
        [2] 2
        [3] 3
        [4] 4
       *[5] 5 🤩
    }
sup-rated = Thank you!
sup-already-rated = You have already rated this ticket.
sup-thanks = Thanks for the rating ({ $score }/5)! Write /support any time.
sup-taken = The ticket is yours.
sup-taken-by = Already taken by { $who }.
sup-card =
    🎫 Ticket #{ $id } · { $status } · { $source ->
        [dispute] dispute of conversion #{ $conversion }
        [faq] from FAQ
       *[support] support
    }
    Partner #{ $partner }: { $name } ({ $partner_status }, tier { $tier })
    Wrote from: { $messenger } · language: { $locale }
    Accounts: { $accounts }
    Balance: { $balance }
    Last conversions: { $conversions }
    Assignee: { $assignee }
    
    { $question }
    
    Reply to this message to answer.
sup-staff-message =
    💬 #{ $id } { $name } ({ $messenger }):
    { $text }
sup-staff-partner-closed = ✅ The partner closed ticket #{ $id }.
sup-staff-closed = Ticket #{ $id } is closed; the partner can open a new one with /support.
sup-list =
    🎫 Open tickets: { $count } (oldest first)
    { $tickets }
sup-sla = ⏰ Ticket #{ $id } from { $name } has waited { $minutes } min without an answer.
sup-btn-reply = ↩️ Reply
sup-reply-prompt = Send your answer to ticket #{ $id } as your next message in this chat (text, photo or document).
sup-slow-down = ⏳ You're writing faster than our team can read: at most { $limit } messages a minute reach the ticket. This one was not sent — please send it again in { $seconds } s.
sup-answer-too-long = ⚠️ Not sent: the answer has { $length } characters, and { $messenger ->
        [vk] VK
       *[telegram] Telegram
    } takes at most { $max } in one answer. Shorten it or split it into several replies.
