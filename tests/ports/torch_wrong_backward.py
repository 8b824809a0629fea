"""A PyTorch port whose corr2d has a hand-written backward that forgets the incoming
gradient: its forward passes every case, its gradients fail the grad profile."""
import torch


def _forward(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


class _Corr2d(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K):
        ctx.save_for_backward(X, K)
        return _forward(X, K)

    @staticmethod
    def backward(ctx, G):
        X, K = ctx.saved_tensors
        with torch.enable_grad():
            x, k = X.detach().requires_grad_(), K.detach().requires_grad_()
            _forward(x, k).sum().backward()  # the slip: d sum(Y), not d sum(Y * G)
        return x.grad, k.grad


def corr2d(X, K):
    return _Corr2d.apply(X, K)


def to_native(a):
    return torch.from_numpy(a)
