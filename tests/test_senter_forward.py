"""The sentence models' forward pass in `structuring.senter_forward` gives exactly the
scores thinc's own layers give, and refuses a model it was not written for."""

import json
import random
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import Doc
from thinc.api import NumpyOps

from structuring import segmenter, senter_forward

DEV = Path(__file__).parents[2] / "shared" / "data" / "structuring" / "dev.jsonl"


class _NumpyMatmulOps(NumpyOps):
    """thinc's ops with numpy's matrix product, as the forward pass uses it."""

    def gemm(self, x, y, out=None, trans1=False, trans2=False):
        return numpy.matmul(x.T if trans1 else x, y.T if trans2 else y, out=out)


def _thincs_scores(model, words):
    senter = model.get_pipe("senter")
    scores = senter.model.predict([Doc(model.vocab, words=words)])[0]
    return scores[:, list(senter.labels).index("S")]


def _word_lists():
    """Dictations of many lengths: dev's own words, shuffled runs, the shortest lists and
    one longer than the padding many times over, with digits, capitals and letters æøå."""
    lists = [json.loads(line)["spoken"].split() for line in DEV.open(encoding="utf-8")]
    pool = [w for words in lists for w in words]
    rng = random.Random(15)
    lists += [rng.sample(pool, n) for n in (1, 2, 3, 8, 9, 17, 40, 300)]
    lists += [["Ho", "sov", "godt", "kl.", "02.30", "BT", "142/88", "ærlig", "ÅPEN"]]
    return lists


@pytest.fixture(scope="module")
def shipped():
    models = segmenter._model()
    assert len(models) == 3
    return models


def test_each_model_gives_the_same_scores_to_the_last_bit(shipped):
    ops = _NumpyMatmulOps()
    for model in shipped:
        for layer in model.get_pipe("senter").model.walk():
            layer.ops = ops
        weights = senter_forward.read_weights(model, NumpyOps())
        for words in _word_lists():
            expected = _thincs_scores(model, words)
            assert numpy.array_equal(senter_forward.start_scores(weights, words), expected), words


def test_the_mean_over_the_models_is_thincs_within_float_rounding(shipped):
    words = ("hun sov godt hele natta han fikk Paracet klokka åtte og spiste frokost "
             "blodtrykket var hundre og førti over åtti").split()
    stock = [spacy.load(folder) for folder in
             sorted(p.parent for p in segmenter.SENTER_DIR.glob("*/config.cfg"))]
    averaged = numpy.mean([_thincs_scores(model, words) for model in stock], axis=0)
    fast = segmenter.start_probabilities(shipped, words)
    assert numpy.abs(numpy.array(fast) - averaged).max() < 1e-4
    assert segmenter.sentence_starts(words)[0] == 0 and len(segmenter.sentence_starts(words)) > 1


def test_no_words_no_scores(shipped):
    weights = senter_forward.read_weights(shipped[0], NumpyOps())
    assert senter_forward.start_scores(weights, []).shape == (0,)


def _a_model(subword_features: bool):
    nlp = spacy.blank("nb")
    nlp.add_pipe("senter", config={"model": {
        "@architectures": "spacy.Tagger.v2", "nO": None, "normalize": False,
        "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None,
                    "width": 16, "depth": 2, "embed_size": 100, "window_size": 1,
                    "maxout_pieces": 2, "subword_features": subword_features}}})
    from spacy.training import Example
    doc = nlp.make_doc("hun sov godt han spiste")
    example = Example.from_dict(doc, {"sent_starts": [1, 0, 0, 1, 0]})
    nlp.initialize(lambda: [example])
    return nlp


def test_another_size_of_the_same_architecture_is_read_from_its_weights():
    model = _a_model(subword_features=True)
    weights = senter_forward.read_weights(model, NumpyOps())
    words = "hun sov godt han spiste frokost og fikk medisin".split()
    expected = _thincs_scores(model, words)
    assert numpy.allclose(senter_forward.start_scores(weights, words), expected, atol=1e-5)


def test_a_model_of_another_architecture_is_refused():
    with pytest.raises(ValueError, match="unexpected architecture"):
        senter_forward.read_weights(_a_model(subword_features=False), NumpyOps())
