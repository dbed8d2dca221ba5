"""Labels of the chapter's figures in both of its languages.

The chapter's prose lives in the book; the words that appear *inside* figures (axis labels,
legends, tick labels) live here, so that one plotting function serves both editions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._validate import check_choice

LANGUAGES = ("en", "ru")

# Every label in both languages, in the order of LANGUAGES: one row per key, so that a key
# cannot exist in one language only.
LABELS: dict[str, tuple[str, str]] = {
    "z": ("pre-activation $z$", "аргумент $z$"),
    "f": ("$f(z)$", "$f(z)$"),
    "df": ("$f'(z)$", "$f'(z)$"),
    "gamma": (r"$\gamma = \max\,|f'| = {gamma}$", r"$\gamma = \max\,|f'| = {gamma}$"),
    "sigmoid": ("sigmoid", "сигмоида"),
    "tanh": ("tanh", "гиперболический тангенс"),
    "relu": ("ReLU", "ReLU"),
    "identity": ("identity", "тождественная"),
    "word": ("word $k$ of the sentence", "слово $k$ предложения"),
    "term norm": (
        r"Frobenius norm of term $k$ (log scale)",
        r"норма Фробениуса слагаемого $k$ (лог. шкала)",
    ),
    "zero": ("0", "0"),
    "|w|": ("self-weight $|w|$", "вес обратной связи $|w|$"),
    "width": (
        r"width of $\{a : |w f'(wa+\beta)| \geq 1\}$",
        r"ширина $\{a : |w f'(wa+\beta)| \geq 1\}$",
    ),
    "gamma |w|": (r"$\gamma\,|w|$", r"$\gamma\,|w|$"),
    "relative width": (
        "width / length of the state interval",
        "ширина / длина интервала состояний",
    ),
    "lag": (r"lag $\ell = t - k$", r"запаздывание $\ell = t - k$"),
    "jacobian norm": (
        r"$\|\partial s_t / \partial s_{t-\ell}\|_2$ (log scale)",
        r"$\|\partial s_t / \partial s_{t-\ell}\|_2$ (лог. шкала)",
    ),
    "dashed bound": (
        r" (dashed: the bound $(\gamma g)^\ell$)",
        r" (штриховые линии — оценка $(\gamma g)^\ell$)",
    ),
    "normal W": ("normal $W$", "нормальная $W$"),
    "non-normal W": ("non-normal $W$", "ненормальная $W$"),
    "log norm": (
        r"$\log_{10} \|\partial s_t / \partial s_k\|_2$",
        r"$\log_{10} \|\partial s_t / \partial s_k\|_2$",
    ),
    "no clipping": ("no clipping", "без обрезки"),
    "clipping": ("norm clipping", "с обрезкой по норме"),
    "iteration": ("iteration", "итерация"),
    "loss": ("loss $L(b)$ (log scale)", "значение функции потерь $L(b)$\n(лог. шкала)"),
    "state jacobian norm": (
        r"full state: $\|\partial s_t / \partial s_{t-\ell}\|_2$ (log scale)",
        r"всё состояние: $\|\partial s_t / \partial s_{t-\ell}\|_2$ (лог. шкала)",
    ),
    "rnn tanh": ("tanh RNN", "RNN с tanh"),
    "lstm": ("LSTM, $b_f = 1$", "LSTM, $b_f = 1$"),
    "lstm 1997": ("LSTM without a forget gate (1997)", "LSTM без вентиля забывания (1997)"),
    "gru": ("GRU", "GRU"),
    "carousel": (
        r"LSTM: its carousel part $\|\Pi_j\, \mathrm{diag}(f_j)\|_2$",
        r"LSTM: карусельная часть $\|\Pi_j\, \mathrm{diag}(f_j)\|_2$",
    ),
    "model rnn": ("tanh RNN", "RNN с tanh"),
    "model irnn": ("IRNN", "IRNN"),
    "model lstm": ("LSTM", "LSTM"),
    "model gru": ("GRU", "GRU"),
    "model irnn sgd": ("IRNN, SGD", "IRNN, SGD"),
    "model lstm bf3": ("LSTM, $b_f = 3$", "LSTM, $b_f = 3$"),
    # The LRU block (issue 15)
    "model lru": ("LRU block", "сеть с LRU"),
    "success rate": (
        "share of seeds that solved the task (95% interval)",
        "доля запусков, решивших задачу\n(95-процентный интервал)",
    ),
    "baseline mse": ("best constant (baseline)", "лучшая константа (базовый уровень)"),
    "baseline accuracy": ("chance", "случайное угадывание"),
    "lag adding": ("sequence length $T$ (log scale)", "длина последовательности $T$ (лог. шкала)"),
    "lag agreement": ("clause length $L$ (log scale)", "длина придаточного $L$ (лог. шкала)"),
    "mse": (
        "held-out MSE (log scale)",
        "среднеквадратичная ошибка\nна отложенной выборке (лог. шкала)",
    ),
    "accuracy": ("held-out accuracy", "доля верных ответов\nна отложенной выборке"),
    "position k": ("step $k$ of the sequence", "шаг $k$ последовательности"),
    "gradient share": (
        r"$\|\partial E_T/\partial s_k\| \,/\, \|\partial E_T/\partial s_T\|$",
        r"$\|\partial E_T/\partial s_k\| \,/\, \|\partial E_T/\partial s_T\|$",
    ),
    "cell gradient norm": (
        r"$\|\partial E_T/\partial c_k\|$ (log scale)",
        r"$\|\partial E_T/\partial c_k\|$ (лог. шкала)",
    ),
    "path full": ("all paths", "все пути"),
    "path carousel": ("carousel only", "только по карусели"),
    "path rest": ("paths that leave the cell", "пути, покидающие ячейку"),
    "before training": ("before training", "до обучения"),
    "after training": ("after training", "после обучения"),
    "training shades": (
        "light: step {first} of training, dark: step {last}",
        "светлее: шаг обучения {first}, темнее: шаг {last}",
    ),
    "init orthogonal": ("orthogonal", "ортогональная"),
    "init gaussian": (r"Gaussian $\mathcal{N}(0, 1/n)$", r"гауссовская $\mathcal{N}(0;\, 1/n)$"),
    "init scaled": (r"Gaussian scaled to $\rho = 1$", r"гауссовская, приведённая к $\rho = 1$"),
    "init identity": ("identity $W = I$", "единичная $W = I$"),
    "irnn relu": ("IRNN: ReLU, $W = I$", "IRNN: ReLU, $W = I$"),
    "singular index": ("index $i$", "номер $i$"),
    "singular values": (r"singular values $\sigma_i(W)$", r"сингулярные числа $\sigma_i(W)$"),
    "eigenvalues": (r"eigenvalues $\lambda_i(W)$", r"собственные значения $\lambda_i(W)$"),
    "step t": ("step $t$", "шаг $t$"),
    "state norm": (r"$\|s_t\|_2$ (log scale)", r"$\|s_t\|_2$ (лог. шкала)"),
    "input scale": ("input weights × {scale}", "входные веса × {scale}"),
    "predicted rate": (
        r"predicted rate $\sqrt{\chi} = g\,\sqrt{\overline{f'(z)^2}}$",
        r"предсказанная скорость $\sqrt{\chi} = g\,\sqrt{\overline{f'(z)^2}}$",
    ),
    "measured rate": (
        r"measured rate $r = \|\partial s_{60}/\partial s_0\|_2^{1/60}$",
        r"измеренная скорость $r = \|\partial s_{60}/\partial s_0\|_2^{1/60}$",
    ),
    "from the states": ("{name}: $z$ of the network", "{name}: $z$ самой сети"),
    "from the fixed point": ("{name}: mean-field $q^*$", "{name}: $q^*$ среднего поля"),
    "chi one": (r"$\chi = 1$", r"$\chi = 1$"),  # for ReLU the state blows up there: no chaos
    "order": ("order: vanishing", "порядок: затухание"),
    "chaos": ("chaos: exploding", "хаос: взрыв"),
    "jacobians crossed": (
        r"Jacobians a loss crosses: $\tau$, or $\mathrm{E}\,\min(L, T-1)$",
        r"матриц Якоби на пути ошибки: $\tau$ или $\mathrm{E}\,\min(L, T-1)$",
    ),
    "angle to full": (
        r"angle $\angle(\nabla_{\!\tau} E, \nabla E)$, degrees",
        r"угол $\angle(\nabla_{\!\tau} E, \nabla E)$, градусы",
    ),
    "truncation trained": ("trained", "после обучения"),
    "truncation initial": ("at initialisation", "при инициализации"),
    "far lags": ("lags of the first marked number", "запаздывания первого помеченного числа"),
    "error to full": (
        r"distance to $\nabla E$ over $\|\nabla E\|$ (log scale)",
        r"расстояние до $\nabla E$, делённое на $\|\nabla E\|$ (лог. шкала)",
    ),
    "regular truncation": (r"truncation at $\tau$ (bias)", r"усечение при $\tau$ (смещение)"),
    "randomised truncation": (
        "randomised (root mean square)",
        "усечение случайной длины\n(корень из среднего квадрата)",
    ),
    # The explorable figures (rnngrad.explorable): controls, legends, the live sentence.
    # Placeholders in braces are filled by book/_static/explorable.js with values the
    # library formatted.
    "explore gain": ("gain g", "коэффициент усиления g"),
    "explore activation": ("activation", "функция активации"),
    "explore lag": ("lag ℓ", "запаздывание ℓ"),
    "explore norm": ("‖∂sₜ/∂sₜ₋ℓ‖₂", "‖∂sₜ/∂sₜ₋ℓ‖₂"),
    "explore measured": ("measured", "измерение"),
    "explore bound": ("bound (γg)^ℓ", "оценка (γg)^ℓ"),
    "explore mean field": ("mean field √χ^ℓ", "среднее поле √χ^ℓ"),
    "explore gain sentence": (
        "{activation}, g = {gain}: at lag {lag} the norm is {value}; the product {trend}.",
        "{activation}, g = {gain}: при запаздывании {lag} норма равна {value}; "
        "произведение {trend}.",
    ),
    "explore grows": ("grows", "растёт"),
    "explore decays": ("decays", "затухает"),
    "explore gain title": (
        "The norm against the lag at the chosen gain",
        "Норма в зависимости от запаздывания при выбранном g",
    ),
    "explore gain description": (
        "Logarithmic vertical axis: the measured norm, the bound (dashed) and the mean-field "
        "prediction (dotted) against the lag.",
        "Логарифмическая вертикальная ось: измеренная норма, оценка (штриховая линия) "
        "и прогноз теории среднего поля (пунктир) в зависимости от запаздывания.",
    ),
    "explore table": ("The data of this view", "Данные этого рисунка"),
    "explore heatmap sentence": (
        "t = {t}, k = {k}: ‖∂sₜ/∂sₖ‖₂ = {value} (g = {gain}).",
        "t = {t}, k = {k}: ‖∂sₜ/∂sₖ‖₂ = {value} (g = {gain}).",
    ),
    "explore heatmap title": (
        "Map of log₁₀ ‖∂sₜ/∂sₖ‖₂ over k and t",
        "Карта log₁₀ ‖∂sₜ/∂sₖ‖₂ по k и t",
    ),
    "explore heatmap description": (
        "Cells below the diagonal; blue: vanishing, red: exploding. The cursor cell, its row "
        "and its column are outlined.",
        "Заполнены клетки ниже диагонали; синий — затухание, красный — взрыв. Выбранная "
        "клетка, её строка и столбец обведены.",
    ),
    "explore heatmap help": (
        "Map cell: arrow keys move, Home and End go to the row's ends",
        "Клетка карты: стрелки — перемещение, Home и End — к началу и концу строки",
    ),
    "explore step": ("training step", "шаг обучения"),
    "explore training lag": ("sequence length T", "длина последовательности T"),
    "explore position": ("step k", "шаг k"),
    "explore share": ("‖∂E_T/∂sₖ‖ / ‖∂E_T/∂s_T‖", "‖∂E_T/∂sₖ‖ / ‖∂E_T/∂s_T‖"),
    "explore training sentence": (
        "T = {lag}, training step {step}: the share at k = 1 is {values}.",
        "T = {lag}, шаг обучения {step}: доля при k = 1 равна {values}.",
    ),
    "explore last evaluated": (
        "last evaluated at step {step}",
        "последняя проверка — на шаге обучения {step}",
    ),
    "explore training title": (
        "The state-gradient share over k during training",
        "Доля градиента по состоянию в зависимости от k во время обучения",
    ),
    "explore training description": (
        "Logarithmic vertical axis: one line per model, the share of the gradient that "
        "reaches step k at the chosen training step.",
        "Логарифмическая вертикальная ось; по одной линии для каждой модели: доля "
        "градиента, которая доходит до шага k, на выбранном шаге обучения.",
    ),
    # the page on linear recurrences
    "lru ring": (r"LRU, $r_{{\min}} = {r_min}$", r"LRU, $r_{{\min}} = {r_min}$"),
    "median unit": (
        r"dashed: the median unit, $|\lambda_i|^\ell$",
        r"штриховые линии: медианный нейрон, $|\lambda_i|^\ell$",
    ),
    "ring band": (
        "line: median of {draws} draws; shaded: 5–95%",
        "линия: медиана по {draws} выборкам; заливка: 5–95 %",
    ),
    "lru jacobian norm": (
        r"$\|\partial h_t / \partial h_{t-\ell}\|_2$ (log scale)",
        r"$\|\partial h_t / \partial h_{t-\ell}\|_2$ (лог. шкала)",
    ),
}

#: The lecture's sentence, word by word (punctuation dropped): «зашёл» is word 10, its
#: subject «Человек» word 1, and the nearer feminine noun «шляпа» word 6.
SEED_SENTENCE = (
    "Человек",
    "на",
    "голове",
    "которого",
    "была",
    "шляпа",
    "с",
    "павлиньим",
    "пером",
    "зашёл",
    "в",
    "бар",
)
#: A word-by-word English gloss of :data:`SEED_SENTENCE`.
SEED_GLOSS = (
    "man",
    "on",
    "head",
    "whose",
    "was",
    "hat",
    "with",
    "peacock",
    "feather",
    "walked in",
    "into",
    "bar",
)


def check_language(lang: str) -> str:
    """Return ``lang`` if the chapter has an edition in it, else raise ``ValueError``."""
    return check_choice("lang", lang, LANGUAGES)


def label(key: str, lang: str) -> str:
    """Return the label ``key`` in the language ``lang``."""
    return LABELS[key][LANGUAGES.index(check_language(lang))]


def format_number(value: float, lang: str, *, digits: int = 2) -> str:
    """Format ``value`` with ``digits`` decimals as a textbook in ``lang`` would print it.

    Russian uses a decimal comma (0,25), English a decimal point (0.25); both print a
    negative number with the minus sign U+2212 (−0,25), not a hyphen.
    """
    text = f"{float(value):.{digits}f}".replace("-", "\N{MINUS SIGN}")
    return text.replace(".", ",") if check_language(lang) == "ru" else text


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_power(value: float, lang: str, *, digits: int = 1) -> str:
    """Format ``value`` as m·10ⁿ with ``digits`` decimals in the mantissa, e.g. 2.3·10⁻¹⁶
    (and as m alone when n = 0).

    For numbers in prose that span many orders of magnitude (errors, gradient norms); the
    mantissa takes the language's decimal separator, as in :func:`format_number`.
    """
    number = float(value)
    if number == 0.0:
        return "0"
    mantissa, exponent = f"{number:.{digits}e}".split("e")
    text = format_number(float(mantissa), lang, digits=digits)
    if int(exponent) == 0:  # 2.6, not 2.6·10⁰
        return text
    return f"{text}·10{str(int(exponent)).translate(_SUPERSCRIPTS)}"


def format_value(value: float, lang: str) -> str:
    """Format a measured ratio whatever its size: two significant digits, as decimals between
    0.01 and 100 (0.46, 2.6, 15), as m·10ⁿ outside (1.6·10⁻⁶)."""
    number = float(value)
    if number == 0.0 or not 0.01 <= abs(number) < 100:
        return format_power(number, lang)
    decimals = max(0, 1 - math.floor(math.log10(abs(number))))
    return format_number(number, lang, digits=decimals)


def format_percent(share: float, lang: str) -> str:
    """Format a share in [0, 1] as a whole percentage: 30% in English, «30\N{NO-BREAK SPACE}%» in
    Russian (a non-breaking space before the sign, as Russian typesetting has it)."""
    space = "\N{NO-BREAK SPACE}" if check_language(lang) == "ru" else ""
    return f"{100 * float(share):.0f}{space}%"


def format_list(texts: Sequence[str], lang: str) -> str:
    """Join formatted numbers into a list: "0.001, 0.003" in English, «0,001; 0,003» in
    Russian, where a comma inside the numbers calls for a semicolon between them."""
    return ("; " if check_language(lang) == "ru" else ", ").join(texts)


def format_fraction(part: int, whole: int, lang: str) -> str:
    """Return "part of whole" ("8 of 10", «8 из 10»): how many runs of a point did something."""
    word = "из" if check_language(lang) == "ru" else "of"
    return f"{int(part)} {word} {int(whole)}"


def format_interval(low: float, high: float, lang: str, *, digits: int = 2) -> str:
    """Return the interval [low, high] as the language prints it: [0.72, 1.00] in English,
    [0,72; 1,00] in Russian (a comma inside the numbers, so a semicolon between them)."""
    separator = "; " if check_language(lang) == "ru" else ", "
    ends = (format_number(value, lang, digits=digits) for value in (low, high))
    return f"[{separator.join(ends)}]"


#: Nouns that follow a computed count in prose: English (singular, plural); Russian the
#: forms after 1, after 2–4 and after 5–20 (nominative, as in «требуется 73 итерации»).
NOUNS: dict[str, dict[str, tuple[str, ...]]] = {
    "iteration": {"en": ("iteration", "iterations"), "ru": ("итерация", "итерации", "итераций")},
    "step": {"en": ("step", "steps"), "ru": ("шаг", "шага", "шагов")},
    "unit": {"en": ("unit", "units"), "ru": ("нейрон", "нейрона", "нейронов")},
    "run": {"en": ("run", "runs"), "ru": ("запуск", "запуска", "запусков")},
    # A run with its own seed: "3 seeds" reads «3 запуска» in Russian prose.
    "seed": {"en": ("seed", "seeds"), "ru": ("запуск", "запуска", "запусков")},
    # Russian prose abbreviates minutes: «около 15 мин» needs no agreement.
    "minute": {"en": ("minute", "minutes"), "ru": ("мин", "мин", "мин")},
}


def format_count(count: int, noun: str, lang: str) -> str:
    """Return "count noun" with the noun in the form the number asks for.

    English: 1 step, 2 steps.  Russian chooses among three forms by the last two digits:
    1 шаг, 2 шага, 5 шагов, 11 шагов, 21 шаг, 73 итерации.
    """
    forms = NOUNS[check_choice("noun", noun, NOUNS)][check_language(lang)]
    n = abs(int(count))
    if lang == "en":
        return f"{count} {forms[0] if n == 1 else forms[1]}"
    if n % 10 == 1 and n % 100 != 11:
        form = forms[0]
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        form = forms[1]
    else:
        form = forms[2]
    return f"{count} {form}"


def sentence_labels(lang: str) -> list[str]:
    """The words of :data:`SEED_SENTENCE` as axis labels: glossed below in English."""
    if check_language(lang) == "ru":
        return list(SEED_SENTENCE)
    return [f"{word}\n({gloss})" for word, gloss in zip(SEED_SENTENCE, SEED_GLOSS, strict=True)]
