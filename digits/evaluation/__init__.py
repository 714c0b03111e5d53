"""Evaluation: what the figures in the README are measured with; never loaded by the app.

metrics              -- AUROC, FPR at 95% TPR, rejection rate, expected calibration error.
robustness           -- the robustness set: MNIST test or validation digits rendered as people
                        upload them (canvas, photo, colour, strings...), seeded.
ood_sets             -- the out-of-distribution sets (Fashion-MNIST, Liberation letters, noise, photos).
naive                -- the naive preprocessing the benchmarks compare against.
evaluate_ood         -- python -m digits.evaluation.evaluate_ood: the detector and calibration tables.
benchmark_robustness -- python -m digits.evaluation.benchmark_robustness: the robustness table.
benchmark_speed      -- python -m digits.evaluation.benchmark_speed: median time of each step.
"""
