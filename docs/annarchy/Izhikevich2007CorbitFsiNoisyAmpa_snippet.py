# Izhikevich2007CorbitFsiNoisyAmpa with the parameters of neuron-explorer, ready to paste into a CompNeuroPy/ANNarchy 5 script.
# Tuned at dt = 0.1 ms: the values hold only at that dt (ANNarchy's default is 1 ms).
import ANNarchy as ann
from CompNeuroPy.neuron_models import Izhikevich2007CorbitFsiNoisyAmpa

neuron = Izhikevich2007CorbitFsiNoisyAmpa(
    C=1.0,
    k=0.024845935369440554,
    b_n=1.1459032612775448,
    a_s=0.013562299401101305,
    a_n=0.0032932960390690564,
    v_r=-70.04282380257231,
    v_t=-63.07622326153272,
    a=0.5539732522270224,
    b=0.2958022187630953,
    c=-82.96500199613558,
    d=11.695733417061431,
    v_peak=30.0,
    nonlin=1.4097701397593418,
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
