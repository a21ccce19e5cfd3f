/**
 * Parameters of the simulated multirotor and of the PX4-like controller that tracks velocity
 * setpoints. Defaults are PX4 v1.14 parameter defaults where PX4 has one (named in brackets) and
 * typical values for a 250–450 mm quadrotor elsewhere. Accelerations are mass-normalised (m/s²).
 */
export interface MultirotorParams {
  /** Radius of the sphere used for collision checks, m. */
  readonly radiusM: number;
  /** Horizontal velocity loop gains [MPC_XY_VEL_P_ACC 1.8, MPC_XY_VEL_I_ACC 0.4, MPC_XY_VEL_D_ACC 0.2]. */
  readonly velXyP: number;
  readonly velXyI: number;
  readonly velXyD: number;
  /** Vertical velocity loop gains [MPC_Z_VEL_P_ACC 4.0, MPC_Z_VEL_I_ACC 2.0, MPC_Z_VEL_D_ACC 0]. */
  readonly velZP: number;
  readonly velZI: number;
  readonly velZD: number;
  /** Setpoint limits [MPC_XY_VEL_MAX 12, MPC_Z_VEL_MAX_UP 3, MPC_Z_VEL_MAX_DN 1.5], m/s. */
  readonly velXyMaxMS: number;
  readonly velUpMaxMS: number;
  readonly velDownMaxMS: number;
  /** Maximum tilt [MPC_TILTMAX_AIR 45°], rad. */
  readonly tiltMaxRad: number;
  /** Horizontal acceleration limit [MPC_ACC_HOR_MAX 5], m/s². */
  readonly accHorMaxMS2: number;
  /** Vertical acceleration limits [MPC_ACC_UP_MAX 4, MPC_ACC_DOWN_MAX 3], m/s². */
  readonly accUpMaxMS2: number;
  readonly accDownMaxMS2: number;
  /** Attitude loop time constant, s (1 / MC_ROLL_P with MC_ROLL_P = MC_PITCH_P = 6.5). */
  readonly attitudeTauS: number;
  /** Roll/pitch rate limit [MC_ROLLRATE_MAX = MC_PITCHRATE_MAX 220°/s], rad/s. */
  readonly tiltRateMaxRadS: number;
  /** Yaw-rate tracking time constant, s, and limit [MC_YAWRATE_MAX 200°/s], rad/s. */
  readonly yawRateTauS: number;
  readonly yawRateMaxRadS: number;
  /** Motor/thrust time constant, s. */
  readonly thrustTauS: number;
  /** Maximum collective thrust over weight (thrust-to-weight ratio). */
  readonly thrustToWeight: number;
  /** Linear (rotor) drag, 1/s, and quadratic (body) drag, 1/m, on air-relative velocity. */
  readonly dragLinearPerS: number;
  readonly dragQuadraticPerM: number;
  /** Offboard setpoint timeout before braking to hover [COM_OF_LOSS_T 1.0 s]. */
  readonly offboardTimeoutS: number;
  /** Largest integration sub-step, s. */
  readonly maxSubstepS: number;
  /** What a collision does: `stop` freezes the vehicle (crashed) until `resetTo`; `none` only records it. */
  readonly collisionResponse: 'stop' | 'none';
  /** Whether touching the ground (altitude < radius) counts as a collision. */
  readonly groundCollides: boolean;
  /** Battery: start voltage (4S full) and sag per second of flight, V and V/s. */
  readonly batteryStartV: number;
  readonly batteryDrainVPerS: number;
}

const DEG = Math.PI / 180;

export const DEFAULT_MULTIROTOR_PARAMS: MultirotorParams = {
  radiusM: 0.25,
  velXyP: 1.8,
  velXyI: 0.4,
  velXyD: 0.2,
  velZP: 4.0,
  velZI: 2.0,
  velZD: 0,
  velXyMaxMS: 12,
  velUpMaxMS: 3,
  velDownMaxMS: 1.5,
  tiltMaxRad: 45 * DEG,
  accHorMaxMS2: 5,
  accUpMaxMS2: 4,
  accDownMaxMS2: 3,
  attitudeTauS: 1 / 6.5,
  tiltRateMaxRadS: 220 * DEG,
  yawRateTauS: 0.08,
  yawRateMaxRadS: 200 * DEG,
  thrustTauS: 0.03,
  thrustToWeight: 2,
  dragLinearPerS: 0.3,
  dragQuadraticPerM: 0.05,
  offboardTimeoutS: 1.0,
  maxSubstepS: 0.001,
  collisionResponse: 'stop',
  groundCollides: true,
  batteryStartV: 16.8,
  batteryDrainVPerS: 0.005,
};

/** Wind: a mean plus gusts (first-order Gauss–Markov per axis). */
export interface WindParams {
  readonly meanNorthMS: number;
  readonly meanEastMS: number;
  readonly meanDownMS: number;
  /** Standard deviation of gusts per horizontal axis (vertical: half), m/s; 0 = steady wind. */
  readonly gustSigmaMS: number;
  /** Gust correlation time, s. */
  readonly gustTauS: number;
}

export const CALM: WindParams = { meanNorthMS: 0, meanEastMS: 0, meanDownMS: 0, gustSigmaMS: 0, gustTauS: 2 };

/**
 * IMU noise: continuous-time white-noise densities and bias random walks. Defaults are those of the
 * Gazebo IMU plugin PX4 SITL uses (rotors_simulator gazebo_imu_plugin): gyro noise 3.394e-4 rad/s/√Hz,
 * bias random walk 3.8785e-5 rad/s²/√Hz, turn-on bias σ 0.0087 rad/s, correlation 1000 s; accelerometer
 * 4e-3 m/s²/√Hz, 6e-3 m/s³/√Hz, turn-on σ 0.1962 m/s², correlation 300 s.
 */
export interface ImuParams {
  readonly gyroNoiseDensity: number;
  readonly gyroBiasRandomWalk: number;
  readonly gyroTurnOnBiasSigma: number;
  readonly gyroBiasTauS: number;
  readonly accelNoiseDensity: number;
  readonly accelBiasRandomWalk: number;
  readonly accelTurnOnBiasSigma: number;
  readonly accelBiasTauS: number;
}

export const DEFAULT_IMU_PARAMS: ImuParams = {
  gyroNoiseDensity: 3.394e-4,
  gyroBiasRandomWalk: 3.8785e-5,
  gyroTurnOnBiasSigma: 0.0087,
  gyroBiasTauS: 1000,
  accelNoiseDensity: 4e-3,
  accelBiasRandomWalk: 6e-3,
  accelTurnOnBiasSigma: 0.1962,
  accelBiasTauS: 300,
};
