#!/usr/bin/env python3
"""Unit tests for the PAN scorer in pan.py: small synthetic cases with hand-computed answers.

Run: python3 eval/test_pan_scorer.py
"""

import math
import os
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pan  # noqa: E402
from common import CharIndex, prf  # noqa: E402


def A(susp_off, susp_len, src_off, src_len, kind=None, susp="s.txt", src="r.txt"):
    return pan.Annotation(susp, src, susp_off, susp_len, src_off, src_len, kind)


class ScorerTest(unittest.TestCase):
    def check(self, cases, dets, precision, recall, gran):
        got = pan.score(cases, dets)
        self.assertAlmostEqual(got["precision"], precision)
        self.assertAlmostEqual(got["recall"], recall)
        self.assertAlmostEqual(got["granularity"], gran)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        self.assertAlmostEqual(got["plagdet"], f1 / math.log2(1 + gran))
        return got

    def test_perfect(self):
        got = self.check([A(0, 100, 0, 100)], [A(0, 100, 0, 100)], 1, 1, 1)
        self.assertEqual(got["plagdet"], 1.0)

    def test_half_shifted(self):
        # case 200 chars; detection overlaps 50 on each side -> 100/200 both ways
        got = self.check([A(0, 100, 0, 100)], [A(50, 100, 50, 100)], 0.5, 0.5, 1)
        self.assertAlmostEqual(got["plagdet"], 0.5)

    def test_wrong_source_document(self):
        self.check([A(0, 100, 0, 100)], [A(0, 100, 0, 100, src="other.txt")], 0, 0, 1)

    def test_wrong_suspicious_document(self):
        self.check([A(0, 100, 0, 100)], [A(0, 100, 0, 100, susp="other.txt")], 0, 0, 1)

    def test_overlap_on_one_side_only_does_not_detect(self):
        self.check([A(0, 100, 0, 100)], [A(0, 100, 500, 100)], 0, 0, 1)
        self.check([A(0, 100, 0, 100)], [A(500, 100, 0, 100)], 0, 0, 1)

    def test_touching_spans_do_not_overlap(self):
        self.check([A(0, 100, 0, 100)], [A(100, 50, 100, 50)], 0, 0, 1)

    def test_split_detection_granularity(self):
        # two detections cover 40+40 of 100 on each side: recall 160/200; each fully inside
        got = self.check([A(0, 100, 0, 100)], [A(0, 40, 0, 40), A(60, 40, 60, 40)], 1, 0.8, 2)
        self.assertAlmostEqual(got["plagdet"], (1.6 / 1.8) / math.log2(3))
        self.assertAlmostEqual(got["plagdet"], 0.5608, places=4)

    def test_overlapping_detections_counted_once(self):
        # [0,60) and [40,100) on both sides: union covers the case exactly once
        self.check([A(0, 100, 0, 100)], [A(0, 60, 0, 60), A(40, 60, 40, 60)], 1, 1, 2)

    def test_unequal_side_lengths(self):
        # case 100 + 300 chars, detection 100 + 100 chars all inside the case
        self.check([A(0, 100, 0, 300)], [A(0, 100, 0, 100)], 1, 0.5, 1)

    def test_macro_average_over_cases(self):
        cases = [A(0, 100, 0, 100), A(200, 100, 200, 100)]
        got = self.check(cases, [A(0, 100, 0, 100)], 1, 0.5, 1)
        self.assertAlmostEqual(got["plagdet"], 2 / 3)
        self.assertEqual(got["detected_cases"], 1)

    def test_detection_spanning_two_cases(self):
        cases = [A(0, 100, 0, 100), A(200, 100, 200, 100)]
        # covers both cases; 400 of its 600 characters belong to a case
        self.check(cases, [A(0, 300, 0, 300)], 400 / 600, 1, 1)

    def test_macro_average_over_detections(self):
        # precision is the mean of per-detection shares (1 and 0), not a character ratio
        self.check([A(0, 100, 0, 100)], [A(0, 100, 0, 100), A(500, 10, 500, 10)], 0.5, 1, 1)

    def test_granularity_mean_over_detected_cases_only(self):
        cases = [A(0, 100, 0, 100), A(200, 100, 200, 100), A(400, 100, 400, 100)]
        dets = [A(0, 50, 0, 50), A(50, 50, 50, 50), A(200, 100, 200, 100)]
        # case 1: 2 detections, case 2: 1, case 3: none -> (2 + 1) / 2
        self.check(cases, dets, 1, 2 / 3, 1.5)

    def test_empty_conventions(self):
        self.check([], [], 1, 1, 1)
        self.check([A(0, 10, 0, 10)], [], 0, 0, 1)
        self.check([], [A(0, 10, 0, 10)], 0, 0, 1)

    def test_per_type(self):
        cases = [A(0, 100, 0, 100, "x"), A(200, 100, 200, 100, "y")]
        dets = [A(0, 100, 0, 100),        # exactly case x
                A(200, 200, 200, 200),    # case y plus as much again
                A(500, 100, 500, 100)]    # detects nothing
        by_type = pan.score_by_type(cases, dets, ["x", "y"])
        self.assertAlmostEqual(by_type["x"]["precision"], 1)
        self.assertAlmostEqual(by_type["x"]["recall"], 1)
        self.assertEqual(by_type["x"]["detections"], 1)
        self.assertAlmostEqual(by_type["y"]["precision"], 0.5)
        self.assertAlmostEqual(by_type["y"]["recall"], 1)
        overall = pan.score(cases, dets)
        self.assertAlmostEqual(overall["precision"], (1 + 0.5 + 0) / 3)

    def test_per_type_precision_uses_all_cases(self):
        # one detection spans a case of type x and one of type y: both count as covered
        cases = [A(0, 100, 0, 100, "x"), A(100, 100, 100, 100, "y")]
        by_type = pan.score_by_type(cases, [A(0, 200, 0, 200)], ["x", "y"])
        self.assertAlmostEqual(by_type["x"]["precision"], 1)
        self.assertAlmostEqual(by_type["y"]["precision"], 1)

    def test_case_recalls(self):
        cases = [A(0, 100, 0, 100, "x")]
        rows = pan.case_recalls(cases, [A(0, 50, 0, 50), A(900, 5, 900, 5)])
        self.assertEqual(len(rows), 1)
        self.assertAlmostEqual(rows[0][1], 0.5)
        self.assertEqual(len(rows[0][2]), 1)


class GroundTruthTest(unittest.TestCase):
    def test_misspelt_feature_tag_is_counted(self):
        xml = """<?xml version="1.0" encoding="UTF-8"?>
<document reference="suspicious-document00001.txt">
  <feature name="about" authors="x"/>
  <feature name="plagiarism" type="simulated" this_offset="5" this_length="10"
    source_reference="source-document00002.txt" source_offset="7" source_length="12"/>
  <featue name="plagiarism" type="artificial" obfuscation="pos-preserving" this_offset="50"
    this_length="20" source_reference="source-document00003.txt" source_offset="0" source_length="21"/>
  <feature name="plagiarism" type="artificial" obfuscation="none" this_offset="90"
    this_length="3" source_reference="source-document00003.txt" source_offset="30" source_length="3"/>
</document>"""
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "suspicious-document00001.xml").write_text(xml, encoding="utf-8")
            cases, odd = pan.read_cases(Path(tmp))
        self.assertEqual(len(cases), 3)
        self.assertEqual([c.kind for c in cases], ["simulated", "pos-preserving", "none"])
        self.assertEqual(cases[1], A(50, 20, 0, 21, "pos-preserving",
                                     susp="suspicious-document00001.txt",
                                     src="source-document00003.txt"))
        self.assertEqual(len(odd), 1)


class HelpersTest(unittest.TestCase):
    def test_char_index(self):
        data = "aé€b".encode("utf-8")  # bytes: a=0, é=1-2, €=3-5, b=6
        idx = CharIndex(data)
        self.assertEqual([idx(b) for b in (0, 1, 3, 6, 7)], [0, 1, 2, 3, 4])
        self.assertEqual(idx(2), 2)  # inside é: rounds up to the next character

    def test_prf(self):
        p, r, f = prf(3, 1, 2)
        self.assertAlmostEqual(p, 0.75)
        self.assertAlmostEqual(r, 0.6)
        self.assertAlmostEqual(f, 2 * 0.75 * 0.6 / 1.35)
        self.assertEqual(prf(0, 0, 0), (0.0, 0.0, 0.0))


if __name__ == "__main__":
    unittest.main()
