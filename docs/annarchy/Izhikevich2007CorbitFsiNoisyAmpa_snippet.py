# Izhikevich2007CorbitFsiNoisyAmpa with the parameters of neuron-explorer, ready to paste into a CompNeuroPy/ANNarchy 5 script.
# Tuned at dt = 0.1 ms: the values hold only at that dt (ANNarchy's default is 1 ms).
import ANNarchy as ann
from CompNeuroPy.neuron_models import Izhikevich2007CorbitFsiNoisyAmpa

neuron = Izhikevich2007CorbitFsiNoisyAmpa(
    C=1.0,
    k=0.021105051003064597,
    b_n=0.39568637483399716,
    a_s=0.0012678354021634487,
    a_n=0.04988805725992032,
    v_r=-70.26378966183813,
    v_t=-64.79799500813071,
    a=0.6090861739193363,
    b=0.3018841529718352,
    c=-80.90006944023801,
    d=8.565780504629945,
    v_peak=30.0,
    nonlin=1.3943076324250234,
    tau_ampa=10.0,
    tau_gaba=20.0,
    E_ampa=0.0,
    E_gaba=-90.0,
    I_app=0.0,
    increase_noise=0.0,
    rates_noise=0.0,
    init={"g_ampa": 0.0, "g_gaba": 0.0, "v": -70.04, "u": 0.0, "s": 0.0, "n": 0.0},
)
net = ann.Network(dt=0.1)  # the dt these values were tuned at
pop = net.create(geometry=1, neuron=neuron, name="Izhikevich2007CorbitFsiNoisyAmpa")
