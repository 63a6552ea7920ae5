"""Generated page images of Vietnamese administrative documents (NĐ 30/2020 layout) with exact truth."""

from sohoa.samples._conditions import CONDITIONS
from sohoa.samples._corpus import SampleCorpus, SampleDocument, generate_corpus
from sohoa.samples._variations import HELD_OUT, HELD_OUT_CONDITIONS, TUNING, VARIATIONS, Variation, group_of

__all__ = ["CONDITIONS", "HELD_OUT", "HELD_OUT_CONDITIONS", "TUNING", "VARIATIONS", "SampleCorpus", "SampleDocument",
           "Variation", "generate_corpus", "group_of"]
