"""The names of the measures' settings, which the experiment spec validates against.

They live apart from the code that measures (this module imports nothing), so that
:mod:`essay_lib.experiment.spec`, which the training loop imports, does not pull the
measuring code into the code that trained weights depend on
(:mod:`essay_lib.experiment.cache`): editing how Z̄ is measured never retrains a network.
"""

#: Output representations of Z̄ (see :mod:`essay_lib.measures.batched`).  New ones are
#: appended: the first three are the specification curve's default
#: (:data:`CURVE_REPRESENTATIONS`), which every cached record's key holds.
REPRESENTATIONS = ("logits", "centred_logits", "log_probabilities", "probabilities")
#: Triple types of Z̄ (see :mod:`essay_lib.measures.triples`), new ones appended
TRIPLE_TYPES = ("extrapolating", "inside", "chord_midpoints")
#: The specification curve's default representations and triple types
#: (:class:`essay_lib.experiment.spec.MeasureSpec`): fixed, so the records' keys stay
CURVE_REPRESENTATIONS = ("logits", "centred_logits", "log_probabilities")
CURVE_TRIPLE_TYPES = ("extrapolating", "inside")
