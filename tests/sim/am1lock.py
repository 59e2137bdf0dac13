# am1lock.py: placeholder until the simulated lock lands
