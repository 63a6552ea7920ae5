"""Generated page images of Vietnamese administrative documents (NĐ 30/2020 layout) with exact truth."""

from sohoa.samples._conditions import CONDITIONS
from sohoa.samples._corpus import SampleCorpus, SampleDocument, generate_corpus

__all__ = ["CONDITIONS", "SampleCorpus", "SampleDocument", "generate_corpus"]
