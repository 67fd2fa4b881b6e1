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
  'diagnosis', 'diagnoses', 'diagnosed', 'misdiagnosis', 'misdiagnosed', 'disease', 'infection',
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
  'blood test', 'scan', 'x-ray', 'MRI', 'CT scan', 'ultrasound', 'biopsy', 'smear', 'ECG',
  'swab', 'urine sample', 'blood sample', 'examination', 'examined',
  // referrals and hospital care
  'referral', 'referred', 'refer you', 'two-week wait', '2WW', 'outpatient', 'admitted', 'discharged',
  'discharge summary',
  // widened by class (issue 11): results, screening, mental health, pregnancy, certificates
  'bloods', 'sick note', 'fit note', 'sick-note', 'fit-note',
  'med3', 'cervical screening', 'bowel screening', 'breast screening', 'mammogram', 'colonoscopy', 'endoscopy', 'HbA1c', 'PSA',
  'smear test', 'pap smear', 'panic attack', 'panic attacks', 'mental health', 'mental illness', 'suicidal', 'eating disorder',
  'OCD', 'PTSD', 'counselling', 'talking therapies', 'talking therapy', 'CBT', 'therapist', 'antenatal', 'postnatal',
  'maternity', 'IVF', 'fertility', 'menopause', 'memory clinic', 'stitches', 'wound', 'sutures', 'shingles', 'HPV',
  'coil', 'implant', 'contraceptive pill', 'the pill', 'morning after pill', 'vasectomy', 'hysterectomy', 'physiotherapy', 'cream', 'ointment', 'eye drops', 'painkillers', 'sleeping tablets', 'dosette', 'blood sugar',
  'thyroid', 'kidney', 'liver function', 'heart condition', 'lump', 'mole', 'rash', 'cough', 'chest infection', 'water infection',
  'ear infection', 'headaches', 'back pain', 'chest pain', 'long covid', 'obesity', 'weight loss', 'BMI', 'alcohol', 'drug use',
  'addiction', 'sexual health', 'STD', 'mammography', 'X ray', 'xray', 'physio', 'cardiology', 'dermatology', 'oncology',
  'psychiatrist', 'psychiatry', 'psychologist', 'CAMHS', 'crisis team', 'learning disability',
  'low mood', 'depressed', 'bereavement counselling', 'counsellor', 'signed off sick', 'signed off work', 'off sick',
  'speedy recovery', 'get well soon', 'feel better soon', 'on the mend',
  'statement of fitness', 'due date', 'trimester', 'weeks pregnant', 'caesarean', 'c-section', 'breastfeeding', 'labour ward',
];

/**
 * Words about care that a reply may use in general ("repeat prescriptions take two working days",
 * "flu vaccinations are offered every autumn") but not about a person: they block only when
 * personal or particular ("your prescription", "the jab was postponed", "the vaccinations you had").
 */
export const GENERAL_CARE_TERMS: readonly string[] = [
  'prescription', 'medication', 'medicine', 'meds', 'tablets', 'pills', 'vaccination', 'vaccine', 'jab', 'immunisation',
  'immunization', 'booster', 'injection', 'screening', 'test', 'result', 'check-up', 'check up', 'treatment', 'dose',
  'repeat', 'inhaler', 'results', 'blood', 'scan', 'referral', 'assessment', 'examination', 'dressing', 'health check', 'operation', 'illness',
  'death certificate', 'cause of death', 'post-mortem', 'post mortem',
];

/** Endings of medicine names (British Approved Names): "lansoprazole", "bisoprolol", "ramipril". */
export const MEDICINE_ENDINGS: readonly string[] = [
  'prazole', 'olol', 'pril', 'sartan', 'statin', 'dipine', 'cillin', 'mycin', 'cycline', 'floxacin', 'oxetine', 'alopram',
  'traline', 'azepam', 'azolam', 'triptyline', 'triptan', 'profen', 'proxen', 'ofenac', 'codone', 'morphine', 'thyroxine',
  'formin', 'gliptin', 'gliflozin', 'semide', 'thiazide', 'parin', 'xaban', 'gatran', 'tidine', 'lukast', 'nisolone',
  'sonide', 'terol', 'tropium', 'conazole', 'apentin', 'gabalin', 'adone', 'pramine', 'peridol', 'zapine', 'idone',
  'vudine', 'ciclovir', 'clovir', 'amivir', 'mab', 'tinib', 'platin', 'rubicin', 'dronate', 'glutide',
  // painkillers and everyday prescribing the stems above miss ("co-codamol", "venlafaxine", "clopidogrel")
  'amol', 'adol', 'faxine', 'orphine', 'tanyl', 'grel', 'osin', 'afil', 'gestrel', 'furantoin', 'methoprim', 'moxiclav',
  'atadine', 'tirizine', 'fenadine', 'zosin', 'ezolid', 'methasone',
];
