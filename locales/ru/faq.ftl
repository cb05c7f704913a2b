cmd-faq = ответы на частые вопросы
btn-prev = ◀️
btn-next = ▶️
faq-item = { $title }
faq-home = ❓ Частые вопросы. Выберите тему — или просто напишите вопрос своими словами, я найду ответ.
faq-category = ❓ { $title }
faq-answer =
    ❓ { $question }

    { $answer }

    Это помогло?
faq-btn-yes = 👍 Да, спасибо
faq-btn-no = 👎 Нет
faq-btn-ask = 💬 Спросить человека
faq-btn-ask-short = 💬 Не то — спросить человека
faq-thanks = Рады, что помогло!
faq-not-helped = Жаль. Сотрудник поддержки поможет — ваш вопрос уйдёт ему как есть.
faq-nothing = Не нашёл ответа на это. Передать ваш вопрос сотруднику поддержки?
faq-found =
    💡 { $question }

    { $answer }
    { $others ->
        [0] {""}
       *[other] Похожие вопросы — ниже.
    }
faq-admin-home = ❓ Редактор FAQ: выберите категорию.
faq-admin-category = Вопросов в категории: { $count }. Нажмите на вопрос, чтобы изменить его, или добавьте новый.
faq-admin-item = { $hidden ->
        [True] 🙈
       *[False] 📄
    } { $title }
faq-admin-entry =
    { $hidden ->
        [True] 🙈 скрыт
       *[False] 📄 виден
    }
    RU: { $question_ru }
    { $answer_ru }

    EN: { $question_en }
    { $answer_en }

    Ключевые слова: { $keywords }
faq-field-question-ru = ✏️ Вопрос RU
faq-field-answer-ru = ✏️ Ответ RU
faq-field-keywords-ru = 🏷 Слова RU
faq-field-question-en = ✏️ Вопрос EN
faq-field-answer-en = ✏️ Ответ EN
faq-field-keywords-en = 🏷 Слова EN
faq-btn-up = ⬆️
faq-btn-down = ⬇️
faq-btn-hide = 🙈 Скрыть
faq-btn-show = 👁 Показать
faq-btn-add = ➕ Добавить вопрос
faq-btn-kpi = 📈 Статистика FAQ
faq-ask-question-ru = { $step }/{ $steps }. Вопрос на русском:
faq-ask-answer-ru = { $step }/{ $steps }. Ответ на русском:
faq-ask-keywords-ru = { $step }/{ $steps }. Ключевые слова и синонимы на русском через запятую (или «По умолчанию» — без них):
faq-ask-question-en = { $step }/{ $steps }. Вопрос на английском:
faq-ask-answer-en = { $step }/{ $steps }. Ответ на английском:
faq-ask-keywords-en = { $step }/{ $steps }. Ключевые слова и синонимы на английском через запятую (или «По умолчанию» — без них):
faq-kpi =
    📈 FAQ за 30 дней
    Вопросов задано: { $total }
    Отмечено «помогло»: { $helped }
    Передано человеку: { $escalated }
    Ответ не найден: { $unanswered }
    Доля решённых без человека: { $deflection } %
admin-btn-faq = ❓ FAQ
