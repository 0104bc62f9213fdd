"""Moodle GIFT import into a course bank and export from it.

Texts are trilingual through Moodle's multi-language filter: `<span lang="kk" class="multilang">…</span>` (or
`{mlang kk}…{mlang}`) for each of kk, ru and en. A question's key, competencies and difficulty travel as Moodle
reads them, in a comment before the question: `// [id:key] [tag:PREV-1] [tag:difficulty-2]`; what GIFT cannot say
(points, a reflection's rubric, the locale of each accepted short answer) travels in a `// kelisim: {json}` line.
Supported: single and multiple choice (with weights), true/false, short answer, matching, numeric, essay
(our reflection), categories and feedback. Ordering questions have no GIFT form and are left out of exports.
"""
from academy.quizzes.gift.reader import GiftQuestion, ParseResult, parse_gift
from academy.quizzes.gift.writer import write_gift, write_question

__all__ = ["GiftQuestion", "ParseResult", "parse_gift", "write_gift", "write_question"]
