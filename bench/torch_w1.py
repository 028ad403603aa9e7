"""PyTorch side of the W1 benchmark (MLP 784-256-128-10, ReLU, softmax
cross-entropy, Adam 1e-3, batch 128, synthetic MNIST-shaped data), in the
configuration bench/run.sh gives it: torch.set_num_threads(cores), one
OpenBLAS thread, tcmalloc preloaded. Prints the same lines as bench_w1.
Usage: /usr/bin/python3 bench/torch_w1.py [seconds] [threads]"""
import sys
import torch

from torch_common import predict_rates, train_rate

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
n = 128 * 64
x = torch.rand(n, 784)
y = torch.randint(0, 10, (n,))
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                            torch.nn.Linear(128, 10))
print("torch w1 train samples_per_s=%.0f" % train_rate(model, torch.nn.CrossEntropyLoss(), x, y, 128, secs))
rate, latency = predict_rates(model, x, secs)
print("torch w1 predict128 samples_per_s=%.0f" % rate)
print("torch w1 predict1 latency_ms=%.4f" % latency)
