"""The sentence models' forward pass, read straight off their weights.

A shipped `senter` is spaCy's `Tagger.v2` over `HashEmbedCNN.v2`: four hashed embeddings
(NORM, PREFIX, SUFFIX, SHAPE), a layer-normalised maxout that mixes them, residual
window-maxout layers, and a linear output. thinc runs that as a tree of some seventy layer
objects per model; walking it was a quarter of the time (three models on 90 words: 4.3 ms
through thinc, 3.3 ms here, about 2 ms of either the matrix products; issue 15, thirty-ninth
pass). Here the same steps run in sequence on the same thinc ops (hash, gather-add, window,
maxout), so the scores are the ones the model gives (`tests/test_senter_forward.py`
compares them to the last bit); a model of another shape is refused when it loads, not
scored wrongly. The matrix products are numpy's
(`numpy.matmul`): its BLAS ran them 4x faster than thinc's own on the AMD build machine
(three models 8.3 → 3.7 ms on 90 words, ninth pass).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

_FEATURES = ("NORM", "PREFIX", "SUFFIX", "SHAPE")


@dataclass(frozen=True)
class Maxout:
    weights: numpy.ndarray  # (pieces × outputs, inputs), as thinc reshapes it
    bias: numpy.ndarray
    pieces: int
    gain: numpy.ndarray  # the layer norm after it
    shift: numpy.ndarray


@dataclass(frozen=True)
class SenterWeights:
    """One sentence model's parameters, in the order its layers run."""
    vocab: object  # the model's spaCy vocabulary: the features are its lexeme attributes
    tables: tuple  # (seed, embedding table) per feature, in _FEATURES order
    mixer: Maxout
    window: int
    padding: int  # zero rows around the words while the window layers run, as thinc pads
    layers: tuple  # Maxout per residual window layer
    output: tuple  # (weights (labels, width), bias)
    start_column: int  # the output column of "starts a sentence"
    ops: object


def read_weights(model, ops) -> SenterWeights:
    """The parameters of a loaded spaCy pipeline's `senter`, checked against the shape the
    forward pass below assumes."""
    senter = model.get_pipe("senter")
    layers: dict[str, list] = {}
    for layer in senter.model.walk():
        layers.setdefault(layer.name, []).append(layer)
    features = layers.get("extract_features", [])
    embeds, maxouts, norms = layers["hashembed"], layers["maxout"], layers["layernorm"]
    windows = layers["expand_window"]
    padding = [w.attrs["pad"] for name, found in layers.items()
               if name.startswith("with_array(residual(") for w in found]
    if (len(features) != 1 or tuple(features[0].attrs["columns"]) != _FEATURES
            or [e.attrs["column"] for e in embeds] != [0, 1, 2, 3]
            or len(maxouts) != len(norms) or len(maxouts) != len(windows) + 1
            or len({w.attrs["window_size"] for w in windows}) != 1 or len(padding) != 1
            or len(layers["softmax"]) != 1 or layers["softmax"][0].attrs["softmax_normalize"]):
        raise ValueError("sentence model of an unexpected architecture")
    blocks = [_maxout(m, n) for m, n in zip(maxouts, norms)]
    softmax = layers["softmax"][0]
    return SenterWeights(
        vocab=model.vocab,
        tables=tuple((e.attrs["seed"], e.get_param("E")) for e in embeds),
        mixer=blocks[0], window=windows[0].attrs["window_size"],
        padding=padding[0], layers=tuple(blocks[1:]),
        output=(softmax.get_param("W"), softmax.get_param("b")),
        start_column=list(senter.labels).index("S"), ops=ops)


def _maxout(maxout, norm) -> Maxout:
    outputs, pieces, inputs = (maxout.get_dim(d) for d in ("nO", "nP", "nI"))
    return Maxout(weights=maxout.get_param("W").reshape(outputs * pieces, inputs),
                  bias=maxout.get_param("b").reshape(outputs * pieces), pieces=pieces,
                  gain=norm.get_param("G"), shift=norm.get_param("b"))


def start_scores(weights: SenterWeights, words: list[str]) -> numpy.ndarray:
    """Per word, the model's score for "starts a sentence" (its unnormalised output, as
    `senter.model.predict` gives it)."""
    if not words:
        return numpy.zeros(0, dtype="float32")
    ops = weights.ops
    ids = _feature_ids(weights.vocab, words)
    embedded = numpy.concatenate(
        [ops.gather_add(table, ops.hash(numpy.ascontiguousarray(ids[:, column]), seed)
                        % table.shape[0])
         for column, (seed, table) in enumerate(weights.tables)], axis=1)
    mixed = _maxout_norm(ops, weights.mixer, embedded)
    # The padding rows do not stay zero: each layer's bias and norm give them values that
    # the next layer's window reads at the dictation's first and last words.
    pad = numpy.zeros((weights.padding, mixed.shape[1]), dtype=mixed.dtype)
    hidden = numpy.concatenate([pad, mixed, pad])
    for layer in weights.layers:
        hidden = hidden + _maxout_norm(ops, layer, ops.seq2col(hidden, weights.window))
    hidden = hidden[weights.padding:weights.padding + len(words)]
    output, bias = weights.output
    scores = numpy.matmul(hidden, output.T)
    scores += bias
    return scores[:, weights.start_column]


def _maxout_norm(ops, layer: Maxout, inputs: numpy.ndarray) -> numpy.ndarray:
    """thinc's maxout then layernorm, step for step (the same float32 operations)."""
    mixed = numpy.matmul(inputs, layer.weights.T)
    mixed += layer.bias
    best, _ = ops.maxout(mixed.reshape(mixed.shape[0], -1, layer.pieces))
    mean = best.mean(axis=1, keepdims=True)
    variance = best.var(axis=1, keepdims=True) + 1e-08
    normed = (best - mean) * variance ** (-1.0 / 2.0)
    normed = normed * layer.gain
    normed += layer.shift
    return normed


def _feature_ids(vocab, words: list[str]) -> numpy.ndarray:
    """The four lexeme attributes per word, as `Doc.to_array` gives them for a Doc made of
    these words (no tokenizer exceptions apply to a Doc built from words)."""
    ids = numpy.empty((len(words), len(_FEATURES)), dtype="uint64")
    for row, word in enumerate(words):
        lexeme = vocab[word]
        ids[row] = (lexeme.norm, lexeme.prefix, lexeme.suffix, lexeme.shape)
    return ids
