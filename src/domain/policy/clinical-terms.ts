/**
 * The maintained word list behind the reply guard's "clinical information" rule (Millbrook:
 * "Under no circumstances should clinical information be transmitted on any social media site").
 * Diagnoses, medicines, tests and results, referrals. A practice adds its own words through
 * `replyGuard.extraClinicalTerms` in its policy file.
 *
 * Words that a general, non-clinical reply uses about normal practice ("prescriptions",
 * "medication", "appointments", "clinical") are deliberately absent: the GMC allows "general
 * information about normal practice". Their personal forms ("your prescription") are caught by
 * the patient-relationship rule instead. Each entry also matches its plural (an added "s"/"es").
 */
export const CLINICAL_TERMS: readonly string[] = [
  // diagnoses and conditions
  'diagnosis', 'diagnoses', 'diagnosed', 'misdiagnosis', 'misdiagnosed', 'illness', 'disease', 'infection',
  'cancer', 'tumour', 'tumor', 'diabetes', 'diabetic', 'asthma', 'asthmatic', 'COPD', 'hypertension',
  'blood pressure', 'cholesterol', 'depression', 'anxiety', 'mental health', 'dementia', 'epilepsy', 'seizure',
  'stroke', 'heart attack', 'angina', 'arthritis', 'migraine', 'HIV', 'hepatitis', 'STI', 'chlamydia',
  'pregnancy', 'pregnant', 'miscarriage', 'termination of pregnancy', 'abortion', 'fracture', 'sepsis', 'UTI',
  'eczema', 'psoriasis', 'ADHD', 'autism', 'bipolar', 'schizophrenia', 'psychosis', 'self-harm', 'overdose',
  'allergy', 'allergic', 'symptom', 'prognosis', 'terminally ill', 'palliative',
  // medicines and treatment
  'prescribed', 'dose', 'dosage', 'antibiotic', 'antidepressant', 'insulin', 'statin', 'opioid', 'sertraline',
  'fluoxetine', 'citalopram', 'amitriptyline', 'amoxicillin', 'penicillin', 'codeine', 'tramadol', 'morphine',
  'diazepam', 'zopiclone', 'gabapentin', 'pregabalin', 'metformin', 'levothyroxine', 'omeprazole', 'ramipril',
  'amlodipine', 'atorvastatin', 'simvastatin', 'salbutamol', 'inhaler', 'warfarin', 'methadone', 'HRT',
  'contraceptive', 'contraception', 'steroid', 'chemotherapy',
  // tests and results
  'blood test', 'test result', 'scan', 'x-ray', 'MRI', 'CT scan', 'ultrasound', 'biopsy', 'smear', 'ECG',
  'swab', 'urine sample', 'blood sample', 'examination', 'examined',
  // referrals and hospital care
  'referral', 'referred', 'refer you', 'two-week wait', '2WW', 'outpatient', 'admitted', 'discharged',
  'discharge summary',
];
