"""A port module whose __getattr__ raises for every name it lacks."""


def __getattr__(name):
    raise RuntimeError("this module has no %s" % name)
