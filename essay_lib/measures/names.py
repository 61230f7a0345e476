"""The names of the measures' settings, which the experiment spec validates against.

They live apart from the code that measures (this module imports nothing), so that
:mod:`essay_lib.experiment.spec`, which the training loop imports, does not pull the
measuring code into the code that trained weights depend on
(:mod:`essay_lib.experiment.cache`): editing how Z̄ is measured never retrains a network.
"""

#: Output representations of Z̄ (see :mod:`essay_lib.measures.batched`)
REPRESENTATIONS = ("logits", "centred_logits", "log_probabilities")
#: Triple types of Z̄ (see :mod:`essay_lib.measures.triples`)
TRIPLE_TYPES = ("extrapolating", "inside")
