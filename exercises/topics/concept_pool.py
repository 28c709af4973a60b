"""The written pool of statements for the `concepts` template (lecture "CNN part 2", Goodfellow et al. ch. 9).

Each statement has a stable id (its option id in keys and answers), a truth value and an explanation
that says why it is true or false; the explanation is the feedback when a student picks it wrongly.
Texts are prose whose symbols and formulas are math placeholders (`_math` below): they are printed as option
text in every format, and the grader keeps their plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.model import Call, Eq, Neg, Op, Plus, Product, Prose, Sym, prose

_F, _G, _X = Sym("f"), Sym("g"), Sym("x")
_SYMBOLS = {name: Sym(name) for name in "kmnsd"}  # k kernel width, m and n sizes, s stride, d dilation
_FORMULAS = {
    "k1": Plus(Sym("k"), -1),  # k − 1
    "valid": Plus(Sym("m"), Neg(Sym("k")), 1),  # m − k + 1
    "full": Plus(Sym("m"), Sym("k"), -1),  # m + k − 1
    "three": Op("×", 3, 3), "five": Op("×", 5, 5), "six": Op("×", 6, 6),
    "two_3x3": Eq(Op("+", 3, Op("-", 3, 1)), 5),  # 3 + 3 − 1 = 5
}


@dataclass(frozen=True)
class Statement:
    id: str
    topic: str
    true: bool
    text: Prose
    why: Prose


def _math(text: str, **math: Any) -> Prose:
    """Prose of the pool: the placeholders {k}, {m}, {n}, {s}, {d} are those symbols, {k1}, {valid}, {full} …
    the formulas of _FORMULAS; others are given."""
    known = {**_SYMBOLS, **_FORMULAS}
    return prose(text, **{name: value for name, value in known.items() if "{" + name + "}" in text}, **math)


def _pool(topic: str, *rows: tuple[str, bool, str | Prose, str | Prose]) -> tuple[Statement, ...]:
    return tuple(Statement(f"{topic}.{name}", topic, true, _as_prose(text), _as_prose(why))
                 for name, true, text, why in rows)


def _as_prose(text: str | Prose) -> Prose:
    return text if isinstance(text, Prose) else _math(text)


POOL: tuple[Statement, ...] = (
    *_pool(
        "equivariance",
        ("definition", True, _math("A function {f} is equivariant to a transformation {g} if {rule}.", f=_F, g=_G,
                                   rule=Eq(Call("f", Call("g", _X)), Call("g", Call("f", _X)))),
         "That is the definition: transforming the input transforms the output in the same way."),
        ("translation", True, "Convolution is equivariant to translation: shifting the input shifts the "
         "feature map by the same amount, away from the borders.",
         "The same kernel is applied at every position, so a shifted pattern gives the same response, shifted."),
        ("from-sharing", True, "Translation equivariance of convolution comes from parameter sharing: the same "
         "kernel is used at every position.",
         "Because every position uses the same weights, moving the input moves the output with it."),
        ("border", True, "Near the borders, translation equivariance of a convolution holds only approximately.",
         "Values shifted into or out of the signal (or padding) change the outputs at the border, as in the "
         "lecture's example."),
        ("rotation", False, "Convolution is equivariant to rotation of the image.",
         "A rotated image gives a feature map that is not the rotated original map: the kernel itself is not "
         "rotated. Convolution is naturally equivariant to translation only."),
        ("scale", False, "Convolution is equivariant to changes in the scale of the image.",
         "A fixed kernel responds differently to a zoomed pattern; convolution is not naturally equivariant to "
         "scaling."),
        ("is-invariance", False, "Translation equivariance means the output stays the same when the input is "
         "shifted.",
         "That is invariance. Equivariance means the output shifts along with the input."),
        ("dense-layer", False, "A fully connected layer is equivariant to translation as well.",
         "A dense layer has separate weights for every input-output pair, so shifting the input changes the "
         "outputs in no structured way."),
        ("stride", False, "A convolution with stride 2 is equivariant to shifts of the input by one sample.",
         "A one-sample shift moves the kernel positions to the samples the stride skipped: the outputs are not "
         "a shift of the old ones."),
    ),
    *_pool(
        "invariance",
        ("definition", True, _math("A function {f} is invariant to a transformation {g} if {rule}.", f=_F, g=_G,
                                   rule=Eq(Call("f", Call("g", _X)), Call("f", _X))),
         "That is the definition: the output does not change when the input is transformed."),
        ("max-pooling", True, "Max pooling makes the representation approximately invariant to small "
         "translations of the input.",
         "The maximum of a neighbourhood often stays the same when its values move by a step or two."),
        ("presence", True, "Invariance to local translation is useful when we care more about whether a feature "
         "is present than exactly where it is.",
         "Then small shifts should not change the answer, which is what pooling gives."),
        ("learned", True, "Pooling over the outputs of separately parametrized convolutions can learn invariance "
         "to other transformations, such as rotation.",
         "If each convolution detects the pattern in a different orientation, the maximum over them responds to "
         "any of those orientations."),
        ("prior", True, "Pooling acts as a strong prior: the function the layer learns must be invariant to small "
         "translations.",
         "The pooling layer fixes this invariance; no weights can undo it."),
        ("exact", False, "Max pooling makes the representation exactly invariant to any translation of the "
         "input.",
         "Only small shifts leave most pooled values unchanged, and only approximately: larger shifts move "
         "features into other pooling regions."),
        ("convolution", False, "Convolution on its own is invariant to translation.",
         "Convolution is equivariant: its output shifts with the input. Invariance needs pooling on top."),
        ("always", False, "Invariance to local translation helps every task, even when the precise location of "
         "a feature matters.",
         "When exact positions matter, pooling throws away needed information and can cause underfitting."),
        ("all-values", False, "After a one-step shift of the input, every max-pooled value must change.",
         "Every input value can change while only some pooled values do: that is why pooling is approximately "
         "invariant."),
    ),
    *_pool(
        "parameter-sharing",
        ("fewer-good", True, "Fewer parameters are good because each parameter must be learned from data (and "
         "stored).",
         "Fewer parameters need less training data and less memory, and generalize more easily."),
        ("same-kernel", True, "In a convolutional layer the same kernel weights are used at every position of the "
         "input.",
         "That is parameter sharing (tied weights): one kernel slides over the whole input."),
        ("variable-size", True, "Because the kernel does not depend on the input size, the same convolutional "
         "layer can process inputs of different sizes.",
         "The kernel simply slides over more or fewer positions; only the output size changes."),
        ("lecture-count", True, "A dense layer from 6 inputs to 4 outputs has 24 free weights; the convolution "
         "with a kernel of size 3 that gives the same 4 outputs has 3.",
         _math("{count} dense weights against the 3 shared kernel weights (the lecture's Toeplitz example).",
               count=Eq(Op("×", 6, 4), 24))),
        ("grows", False, "The number of weights of a convolutional layer grows with the size of the input image.",
         "It depends only on the kernel size and the numbers of channels, not on the input size."),
        ("runtime", False, "Parameter sharing reduces the number of multiplications of the forward pass.",
         _math("The forward pass still multiplies each of the {n} outputs by {k} weights, {cost}; sharing reduces "
               "the storage to {k} parameters, not the runtime.", cost=Call("O", Product(Sym("k"), Sym("n"))))),
        ("used-once", False, "In a convolution each kernel weight is used only once per output map.",
         "Each weight is used at every position of the input, once per output value."),
        ("dense-equal", False, "A dense layer from 6 inputs to 4 outputs has as many free weights as the "
         "convolution with a kernel of size 3 that gives the same 4 outputs.",
         _math("The dense layer has {count} free weights, the convolution only its 3 kernel weights.",
               count=Eq(Op("×", 6, 4), 24))),
        ("any-transform", False, "Parameter sharing makes convolution equivariant to every transformation of the "
         "input, such as rotation and scaling.",
         "Sharing weights across positions gives equivariance to translation only."),
    ),
    *_pool(
        "padding",
        ("keeps-size", True, "Zero padding lets us keep the spatial size from shrinking with each layer.",
         "With a kernel of width {k}, adding {k1} zeros in total makes a stride-1 output as long as its input "
         "('same')."),
        ("valid-shrinks", True, "Without padding ('valid'), a kernel of width {k} shrinks the signal by {k1} at "
         "each layer.",
         "A signal of {m} samples gives {valid} outputs: 16, 11, 6, 1 for a kernel of 6 in the book's figure."),
        ("even-kernel", True, "With an even kernel, 'same' output needs an odd number of zeros, so the two borders "
         "get different numbers of zeros.",
         "{k1} is odd for an even {k}: the lecture puts the extra zero left, PyTorch and TensorFlow right."),
        ("full", True, "'Full' padding adds {k1} zeros on each side, so {m} inputs give {full} outputs.",
         "Every position where the kernel overlaps the signal by at least one sample gives an output."),
        ("shrinks-by-k", False, "Without padding, a kernel of width {k} shrinks the signal by {k} samples at each "
         "layer.",
         "It shrinks by {k1}: {m} samples give {valid} outputs."),
        ("always-equal", False, "'Same' padding always puts the same number of zeros on both sides.",
         "For an even kernel width {k} the {k1} zeros are odd in number and cannot be split evenly."),
        ("full-size", False, _math("'Full' convolution of {m} samples with a kernel of width {k} gives {wrong} "
                                   "outputs.", wrong=Plus(Sym("m"), Sym("k"))),
         "It gives {full}: the kernel overlaps the signal in {full} positions."),
        ("valid-borders", False, "With 'valid' convolution, input pixels at the border influence as many outputs "
         "as pixels in the centre.",
         "A border pixel is covered by the kernel at fewer positions, so it influences fewer outputs."),
        ("unlimited-depth", False, "Without padding, a network can stack any number of convolution layers, however "
         "small the input.",
         _math("Each layer shrinks the signal by {k1}, so after a few layers nothing is left (16, 11, 6, 1 for "
               "{k6}).", k6=Eq(Sym("k"), 6))),
    ),
    *_pool(
        "receptive-field",
        ("grows", True, "The receptive field of a unit grows with depth: deeper units are indirectly connected to "
         "more of the input.",
         "Each layer adds what its kernel covers to the receptive field of the layer below."),
        ("two-3x3", True, "Two stacked {three} convolutions with stride 1 give each unit a {five} receptive field.",
         "{two_3x3}: the second layer's kernel sees 3 units that each see 3 inputs, overlapping."),
        ("stride", True, "Strides and pooling in earlier layers make the receptive field grow faster in the later "
         "layers.",
         "A stride {s} spreads the next layer's kernel over inputs {s} apart, multiplying its growth."),
        ("stride-case", True, "A width-3 convolution with stride 2 followed by a width-3 convolution gives a "
         "receptive field of 7 input samples.",
         _math("The second kernel covers 3 units 2 apart: {sum} (the lecture's example).",
               sum=Eq(Op("+", 3, Op("×", Op("-", 3, 1), 2)), 7))),
        ("dilation", True, "Dilation enlarges a layer's receptive field without adding weights.",
         _math("A dilated kernel of {k} weights spans {span} positions.",
               span=Plus(Product(Sym("d"), Plus(Sym("k"), -1)), 1))),
        ("two-3x3-six", False, "Two stacked {three} convolutions with stride 1 give each unit a {six} receptive "
         "field.",
         _math("The windows overlap: {two_3x3}, not {wrong}.", wrong=Op("+", 3, 3))),
        ("never-far", False, "Because of sparse connectivity, a deep convolutional network can never relate input "
         "values that are far apart.",
         "Deeper units have larger receptive fields, so deep layers do combine distant inputs indirectly."),
        ("input-size", False, "The receptive field of a convolutional unit depends on the size of the input "
         "image.",
         "It depends on the kernels, strides and dilations of the layers below, not on the input size."),
        ("stride-no-effect", False, "A stride only changes the output size, never the receptive field of later "
         "layers.",
         "After a stride of {s}, each step of the next kernel moves {s} inputs, so later receptive fields grow "
         "faster."),
    ),
    *_pool(
        "pooling-memory",
        ("stride-factor", True, "With stride {s}, pooling reduces the size of the representation by about a "
         "factor {s} per dimension.",
         _math("One output every {s} positions: about a factor {s} per dimension (exactly {s} only when the windows "
               "tile the input), about {ss} for an image.", ss=Op("×", Sym("s"), Sym("s")))),
        ("lecture-2d", True, "Max pooling of width 3 with stride 2 on an image reduces the number of values by "
         "about a factor 4.",
         _math("Stride 2 in each of the 2 dimensions: {factor}.", factor=Eq(Op("×", 2, 2), 4))),
        ("no-params", True, "A max pooling layer has no parameters to learn.",
         "It only takes the maximum of each region."),
        ("fixed-output", True, _math("For inputs of varying size {n}, pooling regions of width {width} give a "
                                     "fixed output size {m}.", width=Op("/", Sym("n"), Sym("m"))),
         "Scaling the pooling regions with the input is how a network handles inputs of different sizes."),
        ("efficiency", True, "Pooling improves computational efficiency: the next layer has fewer inputs to "
         "process.",
         "With stride {s} the next layer sees about {s} times fewer values per dimension."),
        ("width-decides", False, "The memory saving of pooling is set by the pooling width, not by the stride.",
         "The stride sets how many outputs there are; a width-3 pool with stride 1 keeps almost every value."),
        ("one-weight-each", False, "A max pooling layer has one learned weight per input position.",
         "Max pooling has no weights at all: it takes the maximum of each region."),
        ("stride-1", False, "Max pooling of width 3 with stride 1 reduces the memory of the next layer by a factor "
         "3.",
         _math("With stride 1 there is an output at almost every position: {n} inputs give {out} outputs, 2 values "
               "fewer, not a factor 3 fewer.", out=Plus(Sym("n"), -2))),
        ("3d-half", False, "Pooling with stride 2 along each of 3 dimensions halves the memory.",
         _math("A factor 2 per dimension: {factor}.", factor=Eq(Op("×", Op("×", 2, 2), 2), 8))),
    ),
)

BY_ID: dict[str, Statement] = {statement.id: statement for statement in POOL}
TOPICS: tuple[str, ...] = tuple(dict.fromkeys(statement.topic for statement in POOL))

# Statements that answer each other (one is the other's negation or correction): never shown together.
CLASHES: frozenset[frozenset[str]] = frozenset(frozenset(pair) for pair in (
    ("equivariance.translation", "equivariance.is-invariance"),
    ("equivariance.from-sharing", "equivariance.dense-layer"),
    ("invariance.max-pooling", "invariance.exact"),
    ("invariance.presence", "invariance.always"),
    ("invariance.definition", "invariance.convolution"),
    ("parameter-sharing.lecture-count", "parameter-sharing.dense-equal"),
    ("parameter-sharing.variable-size", "parameter-sharing.grows"),
    ("parameter-sharing.same-kernel", "parameter-sharing.used-once"),
    ("padding.valid-shrinks", "padding.shrinks-by-k"),
    ("padding.even-kernel", "padding.always-equal"),
    ("padding.full", "padding.full-size"),
    ("padding.keeps-size", "padding.unlimited-depth"),
    ("receptive-field.two-3x3", "receptive-field.two-3x3-six"),
    ("receptive-field.stride", "receptive-field.stride-no-effect"),
    ("receptive-field.grows", "receptive-field.never-far"),
    ("pooling-memory.no-params", "pooling-memory.one-weight-each"),
    ("pooling-memory.stride-factor", "pooling-memory.width-decides"),
    ("pooling-memory.lecture-2d", "pooling-memory.3d-half"),
))


def clash(ids: list[str]) -> bool:
    """Whether two of these statements answer each other."""
    return any(frozenset((a, b)) in CLASHES for i, a in enumerate(ids) for b in ids[i + 1:])
