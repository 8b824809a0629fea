"""The section's six exercises, answered by computation: ``python examples/exercises.py``."""
import numpy as np

from mxconv import fast
from mxconv.exercises import compose_kernels, conv_cost, im2col, one_by_one_exactness

rng = np.random.default_rng(0)

print("Exercise 1: two stacked convolutions without a nonlinearity are one convolution.")
K1 = rng.uniform(-1, 1, (4, 3, 3, 3))  # 3 -> 4 channels, 3x3
K2 = rng.uniform(-1, 1, (2, 4, 3, 3))  # 4 -> 2 channels, 3x3
K = compose_kernels(K1, K2)
X = rng.uniform(-1, 1, (3, 10, 10))
two = fast.corr2d_multi_in_out(fast.corr2d_multi_in_out(X, K1), K2)
one = fast.corr2d_multi_in_out(X, K)
print("  K1 %s then K2 %s equal one kernel of shape %s" % (K1.shape, K2.shape, K.shape))
print("  largest difference over a 3x10x10 input: %.1e (float64)" % np.abs((two - one).asnumpy()).max())
print("  The window grows to k1 + k2 - 1: two 3x3 layers see 5x5. The converse holds only with")
print("  enough middle channels: through one channel, a 5x5 kernel must factor as a product of")
print("  two polynomials of degree 2 in x and y, which most do not; through 25 * c_i channels")
print("  every 5x5 kernel is a composition (each of its 25 taps is a product of two 3x3 taps).\n")

print("Exercises 2-4: the cost of a convolution (conv_cost).")
c = conv_cost(c_i=64, h=56, w=56, c_o=64, k_h=3, k_w=3, padding=1, stride=1)
print("  64x56x56 -> 64 channels, 3x3, padding 1: output %s" % (c.output_shape,))
print("  forward:  %d multiplications, %d additions" % (c.forward_mults, c.forward_adds))
print("  backward: %d multiplications, %d additions (input %d/%d, kernel %d/%d)" % (
    c.backward_mults, c.backward_adds, c.backward_input_mults, c.backward_input_adds,
    c.backward_kernel_mults, c.backward_kernel_adds))
print("  memory: forward %d elements (%d bytes); backward adds %d elements (%d bytes)" % (
    c.forward_elements, c.forward_bytes, c.backward_extra_elements, c.backward_extra_bytes))
print("  general form: forward c_o*out_h*out_w*c_i*k_h*k_w multiplications, "
      "with out = (h + 2p - k) // s + 1")
d = conv_cost(c_i=128, h=56, w=56, c_o=128, k_h=3, k_w=3, padding=1)
print("Exercise 3: doubling c_i and c_o multiplies the work by %.1f" % (d.forward_mults / c.forward_mults))
p = conv_cost(c_i=64, h=56, w=56, c_o=64, k_h=3, k_w=3, padding=2)
print("  doubling the padding (1 -> 2) grows the output to %s and the work by %.3f"
      % (p.output_shape[1:], p.forward_mults / c.forward_mults))
one_by_one = conv_cost(c_i=64, h=56, w=56, c_o=64, k_h=1, k_w=1)
print("Exercise 4: a 1x1 kernel costs c_i*c_o*h*w = %d multiplications, a matrix product;"
      % one_by_one.forward_mults)
print("  %.0fx less than 3x3 with padding 1\n" % (c.forward_mults / one_by_one.forward_mults))

result = one_by_one_exactness(range(100))
print("Exercise 5: are Y1 and Y2 of In[7] exactly equal? Over %d seeds:" % result.seeds)
print("  %d of %d seeds bit-identical; %.1f%% of output elements bit-identical;"
      % (result.bit_identical, result.seeds, 100 * result.fraction_elements_identical))
print("  largest difference %.2e, largest norm %.2e (< 1e-6, so Out[7] is True)."
      % (result.max_abs_difference, result.max_norm))
print("  Why: float32 sums in different orders (add_n over channels vs an sgemm that blocks the")
print("  sum and may fuse multiply and add) round differently: float addition is not associative.\n")

print("Exercise 6: convolution of any window as one matrix multiplication (im2col):")
Y = im2col(X, K1, padding=1)
print("  im2col vs nd.Convolution on 3x10x10 -> 4, 3x3, padding 1: largest difference %.1e"
      % np.abs((Y - fast.corr2d_multi_in_out(X, K1, padding=1)).asnumpy()).max())
