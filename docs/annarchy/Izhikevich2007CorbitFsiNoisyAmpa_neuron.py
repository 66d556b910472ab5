"""Izhikevich2007CorbitFsiNoisyAmpa as an ANNarchy 5 neuron, exported by neuron-explorer 0.1.0 from corbit_fsi_izhikevich_fitted.ron.

Parameter values and `init=` values are those of the preset. Use:
`from Izhikevich2007CorbitFsiNoisyAmpa_neuron import neuron`, then `net.create(geometry=..., neuron=neuron)`.
"""
import ANNarchy as ann

neuron = ann.Neuron(
    parameters="""
        C = 1.0 # pF
        k = 0.024845935369440554 # pS/mV
        b_n = 1.1459032612775448 # pA^0.9
        a_s = 0.013562299401101305 # 1/ms
        a_n = 0.0032932960390690564 # 1/ms
        v_r = -70.04282380257231 # mV
        v_t = -63.07622326153272 # mV
        a = 0.5539732522270224 # 1/ms
        b = 0.2958022187630953 # nS
        c = -82.96500199613558 # mV
        d = 11.695733417061431 # pA
        v_peak = 30.0 # mV
        nonlin = 1.4097701397593418 # 1
        tau_ampa = 10.0 # ms
        tau_gaba = 20.0 # ms
        E_ampa = 0.0 # mV
        E_gaba = -90.0 # mV
        I_app = 0.0 # pA
        increase_noise = 0.0 # nS
        rates_noise = 0.0 # Hz
    """,
    equations="""
        dg_ampa/dt = ite(Uniform(0.0, 1.0) * 1000.0 / dt > rates_noise, -g_ampa/tau_ampa, -g_ampa/tau_ampa + increase_noise/dt)
        dg_gaba/dt = -g_gaba/tau_gaba
        I_v = root_func(I_app - neg(g_ampa*(v - E_ampa)) - pos(g_gaba*(v - E_gaba)), nonlin) - n
        C * dv/dt = k*(v - v_r)*(v - v_t) - u + I_v : init=-70.04
        du/dt = a*(b*(v - v_r) - u)
        ds/dt = a_s*(pos(u)**0.1 - s)
        dn/dt = a_n*(b_n*(pos(u)**0.1-s) - n)
    """,
    spike="""v >= v_peak""",
    reset="""
        v = c
        u = u + d
    """,
    functions="""
        root_func(x, y) = ((abs(x))**(1/y))/((x+1e-20)/(abs(x)+ 1e-20))
    """,
    name="""Izhikevich (2007) model fitted to the Corbit FSI, noisy AMPA input""",
    description="""A reduced model of a striatal fast-spiking interneuron with conductance-based AMPA and GABA synapses and noise in the AMPA conductance. Izhikevich2007CorbitFsi models were fitted to the Hodgkin-Huxley striatal FSI of Corbit et al. (2016) (see HHneuronCorbit): on top of the quadratic model (C*dv/dt = k*(v - v_r)*(v - v_t) - u + I_v, du/dt = a*(b*(v - v_r) - u), reset v = c, u = u + d at v >= v_peak) two slow variables s and n, driven by pos(u)**0.1, build up a slow current n that is subtracted from the input and lets the neuron produce late spiking, and the applied plus synaptic current passes a nonlinearity root_func(I, nonlin) = sign(I)*abs(I)**(1/nonlin). With the package default nonlin = 0.1 the input enters as I**10, so the neuron is extremely sensitive to I_app (about 1.6 pA gives roughly 260 Hz); CompNeuroPy's basal-ganglia model (bgm_22) uses a fitted set with C=1 pF, k=0.0658, v_r=-70.04 mV and nonlin of about 2 instead. I_v is computed from the new conductances but the old n, and s and n are advanced from the old u. Noise: with probability rates_noise*dt/1000 per step g_ampa jumps by increase_noise, equivalent to a Poisson spike train of rate rates_noise as input. v starts at v_r (ANNarchy would start it at 0 mV).""",
)
