"""Exact and near-duplicate detection.

Exact duplicates share the SHA-256 of their normalised main text (case and
white space folded); they are stored once. Near duplicates (a syndicated copy
with another headline, a footer, a few edited words) are found with MinHash
over word 5-shingles and datasketch's LSH index, confirmed by the estimated
Jaccard similarity; they are stored, linked to their original through
``duplicate_of``, and counted once downstream.
"""
from __future__ import annotations

import hashlib
import re

import numpy as np

NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2.x hashing scheme; stored signatures depend on it
SHINGLE_WORDS = 5
NEAR_DUPLICATE_THRESHOLD = 0.7
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    """Fold case and white space, the form whose hash decides exact duplicates."""
    return " ".join(text.lower().split())


def content_hash(text: str) -> str:
    """SHA-256 hex digest of the normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def _shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint64 values) of the text's word shingles."""
    from datasketch import MinHash

    mh = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    shingles = _shingles(text)
    if shingles:
        mh.update_batch(list(shingles))
    return mh.hashvalues.copy()


def signature_to_bytes(sig: np.ndarray) -> bytes:
    """Serialise a signature for the store."""
    return np.asarray(sig, dtype=np.uint64).tobytes()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    """Read a signature back from the store."""
    return np.frombuffer(blob, dtype=np.uint64).copy()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


class NearDuplicateIndex:
    """LSH index of signatures: ``add`` originals, ``find`` the best original for a new text."""

    def __init__(self, threshold: float = NEAR_DUPLICATE_THRESHOLD):
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        from datasketch import MinHashLSH

        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._signatures: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, article_id: str, sig: np.ndarray) -> None:
        """Index an article's signature (ignored if the id is already indexed)."""
        if article_id in self._signatures:
            return
        from datasketch import MinHash

        self._lsh.insert(article_id, MinHash(num_perm=NUM_PERM, seed=1, hashvalues=sig, scheme=SCHEME))
        self._signatures[article_id] = sig

    def find(self, sig: np.ndarray) -> tuple[str, float] | None:
        """The most similar indexed article at or above the threshold, with its similarity, or None."""
        from datasketch import MinHash

        candidates = self._lsh.query(MinHash(num_perm=NUM_PERM, seed=1, hashvalues=sig, scheme=SCHEME))
        best = None
        for cid in candidates:
            s = similarity(sig, self._signatures[cid])
            if s >= self.threshold and (best is None or s > best[1] or (s == best[1] and cid < best[0])):
                best = (cid, s)
        return best
