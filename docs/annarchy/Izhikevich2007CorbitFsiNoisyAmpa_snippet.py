# Izhikevich2007CorbitFsiNoisyAmpa with the parameters of neuron-explorer, ready to paste into a CompNeuroPy/ANNarchy 5 script.
# Tuned at dt = 0.1 ms: the values hold only at that dt (ANNarchy's default is 1 ms).
import ANNarchy as ann
from CompNeuroPy.neuron_models import Izhikevich2007CorbitFsiNoisyAmpa

neuron = Izhikevich2007CorbitFsiNoisyAmpa(
    C=1.0,
    k=0.18032231993557254,
    b_n=0.1146031560662325,
    a_s=0.007124419965419471,
    a_n=0.0035745762863134407,
    v_r=-72.06543650550583,
    v_t=-66.11726866408219,
    a=0.40034230138447724,
    b=0.07987246133939019,
    c=-77.40785753142876,
    d=9.426759319850342,
    v_peak=30.0,
    nonlin=1.8694348775322502,
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
