#!/usr/bin/env python3
"""Unit tests for the threshold fitting used by short_answers.py (ordered classifier, binary F1, AUC).

Run: python3 eval/test_threshold_fit.py
"""

import itertools
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import short_answers as clough  # noqa: E402
from short_answers import INF  # noqa: E402


class OrderedFitTest(unittest.TestCase):
    def test_separable(self):
        values = [0.1, 0.2, 0.4, 0.5, 0.7, 0.9, 1.0]
        labels = [0, 0, 1, 1, 2, 3, 3]
        thresholds, ranges = clough.fit_ordered(values, labels, 4)
        self.assertEqual([round(t, 6) for t in thresholds], [0.3, 0.6, 0.8])
        self.assertEqual([(round(a, 6), round(b, 6)) for a, b in ranges],
                         [(0.3, 0.3), (0.6, 0.6), (0.8, 0.8)])
        self.assertEqual([clough.predict(v, thresholds) for v in values], labels)

    def test_tie_range(self):
        # the two 0.5 answers disagree: t = 0.25 and t = 0.75 both give 3 of 4 right
        values = [0.0, 0.5, 0.5, 1.0]
        labels = [0, 0, 1, 1]
        thresholds, ranges = clough.fit_ordered(values, labels, 2)
        self.assertAlmostEqual(clough.accuracy(values, labels, thresholds), 0.75)
        self.assertEqual(ranges, [(0.25, 0.75)])
        self.assertIn(thresholds[0], (0.25, 0.75))

    def test_tie_is_centred(self):
        # four equally good candidates 0.1, 0.3, 0.5, 0.8 (the pairs at 0.2, 0.4 and 0.6 each
        # hold one answer of either class): the lower middle one, 0.3, is chosen
        values = [0.0, 0.2, 0.2, 0.4, 0.4, 0.6, 0.6, 1.0]
        labels = [0, 0, 1, 0, 1, 0, 1, 1]
        thresholds, ranges = clough.fit_ordered(values, labels, 2)
        self.assertEqual([(round(a, 6), round(b, 6)) for a, b in ranges], [(0.1, 0.8)])
        self.assertAlmostEqual(thresholds[0], 0.3)

    def test_class_never_predicted(self):
        values = [0.1, 0.2, 0.9]
        labels = [0, 0, 2]
        thresholds, _ = clough.fit_ordered(values, labels, 3)
        self.assertEqual([clough.predict(v, thresholds) for v in values], labels)

    def test_ties_in_values(self):
        values = [0.5, 0.5, 0.5, 0.9]
        labels = [0, 0, 1, 1]
        thresholds, _ = clough.fit_ordered(values, labels, 2)
        self.assertAlmostEqual(clough.accuracy(values, labels, thresholds), 0.75)

    def test_matches_brute_force(self):
        rng = random.Random(7)
        for _ in range(30):
            n = rng.randint(3, 14)
            values = [round(rng.random(), 1) for _ in range(n)]
            labels = [rng.randrange(4) for _ in range(n)]
            thresholds, _ = clough.fit_ordered(values, labels, 4)
            best = max(clough.accuracy(values, labels, list(t))
                       for t in itertools.combinations_with_replacement(clough.candidates(values), 3))
            self.assertAlmostEqual(clough.accuracy(values, labels, thresholds), best)
            self.assertEqual(thresholds, sorted(thresholds))


class BinaryTest(unittest.TestCase):
    def test_f1_threshold(self):
        values = [0.0, 0.1, 0.2, 0.6, 0.7, 0.8]
        positive = [False, False, False, True, True, True]
        t = clough.fit_binary_f1(values, positive)
        self.assertAlmostEqual(t, 0.4)

    def test_all_positive(self):
        t = clough.fit_binary_f1([0.1, 0.2], [True, True])
        self.assertTrue(t <= 0.1)

    def test_candidates(self):
        self.assertEqual(clough.candidates([0.2, 0.0, 0.2]), [-INF, 0.1, INF])

    def test_auc(self):
        self.assertEqual(clough.auc([0.9, 0.8], [0.1, 0.2]), 1.0)
        self.assertEqual(clough.auc([0.5], [0.5]), 0.5)
        self.assertAlmostEqual(clough.auc([0.3, 0.9], [0.5]), 0.5)

    def test_macro_f1(self):
        self.assertAlmostEqual(clough.macro_f1(["a", "b"], ["a", "a"], ["a", "b"]), (2 / 3 + 0) / 2)


if __name__ == "__main__":
    unittest.main()
