cmd-faq = answers to common questions
btn-prev = ◀️
btn-next = ▶️
faq-item = { $title }
faq-home = ❓ Frequently asked questions. Pick a topic — or just type your question in your own words, I'll find the answer.
faq-category = ❓ { $title }
faq-answer =
    ❓ { $question }

    { $answer }

    Did this help?
faq-btn-yes = 👍 Yes, thanks
faq-btn-no = 👎 No
faq-btn-ask = 💬 Ask a person
faq-btn-ask-short = 💬 Not it — ask a person
faq-thanks = Glad it helped!
faq-not-helped = Sorry about that. A person from our team can help — your question goes to them as is.
faq-nothing = I couldn't find an answer to that. Shall I pass your question to a person from our team?
faq-found =
    💡 { $question }

    { $answer }
    { $others ->
        [0] {""}
       *[other] Related questions below.
    }
faq-admin-home = ❓ FAQ editor: choose a category.
faq-admin-category = Questions in this category: { $count }. Tap one to edit, or add a new one.
faq-admin-item = { $hidden ->
        [True] 🙈
       *[False] 📄
    } { $title }
faq-admin-entry =
    { $hidden ->
        [True] 🙈 hidden
       *[False] 📄 visible
    }
    RU: { $question_ru }
    { $answer_ru }

    EN: { $question_en }
    { $answer_en }

    Keywords: { $keywords }
faq-field-question-ru = ✏️ Question RU
faq-field-answer-ru = ✏️ Answer RU
faq-field-keywords-ru = 🏷 Keywords RU
faq-field-question-en = ✏️ Question EN
faq-field-answer-en = ✏️ Answer EN
faq-field-keywords-en = 🏷 Keywords EN
faq-btn-up = ⬆️
faq-btn-down = ⬇️
faq-btn-hide = 🙈 Hide
faq-btn-show = 👁 Show
faq-btn-add = ➕ Add question
faq-btn-kpi = 📈 FAQ statistics
faq-ask-question-ru = { $step }/{ $steps }. Question in Russian:
faq-ask-answer-ru = { $step }/{ $steps }. Answer in Russian:
faq-ask-keywords-ru = { $step }/{ $steps }. Russian keywords and synonyms, comma-separated (or "Use default" for none):
faq-ask-question-en = { $step }/{ $steps }. Question in English:
faq-ask-answer-en = { $step }/{ $steps }. Answer in English:
faq-ask-keywords-en = { $step }/{ $steps }. English keywords and synonyms, comma-separated (or "Use default" for none):
faq-kpi =
    📈 FAQ over 30 days
    Questions typed: { $total }
    Marked helpful: { $helped }
    Passed to a person: { $escalated }
    No answer found: { $unanswered }
    Deflection rate: { $deflection } %
admin-btn-faq = ❓ FAQ
